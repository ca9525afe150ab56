package io.switchboard.api;

import java.util.Hashtable;
import java.util.Map;

/**
 * Service properties that describe a {@link MessageModule} to the broker. All are optional except
 * {@link #NAME}. They may come from the component's annotations or its configuration; a configuration
 * change that alters them (e.g. {@code service.ranking}) applies to the chain at once.
 *
 * <table>
 * <caption>Module service properties</caption>
 * <tr><th>property</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code service.ranking}</td><td>Integer</td><td>0</td><td>place in the chain, highest first; ties: lower service.id first</td></tr>
 * <tr><td>{@value #NAME}</td><td>String</td><td>component name</td><td>the module's name in logs and the shell</td></tr>
 * <tr><td>{@value #TYPE}</td><td>{@link ModuleType}</td><td>FILTER</td><td>kind of module</td></tr>
 * <tr><td>{@value #MATURITY}</td><td>{@link Maturity}</td><td>IN_DEVELOPMENT</td><td>how far along</td></tr>
 * <tr><td>{@value #DESCRIPTION}</td><td>String</td><td>none</td><td>one line for the shell</td></tr>
 * <tr><td>{@value #TOPICS}</td><td>String[]</td><td>all</td><td>MQTT topic filters: the module sees only messages on matching topics</td></tr>
 * <tr><td>{@value #TIMEOUT}</td><td>Long (ms)</td><td>5000</td><td>time budget of one decision, asynchronous ones included</td></tr>
 * <tr><td>{@value #FAILURE_POLICY}</td><td>{@link FailurePolicy}</td><td>FAIL_OPEN</td><td>a failed or late decision's outcome</td></tr>
 * <tr><td>{@value #ENABLED}</td><td>Boolean</td><td>true</td><td>false keeps the module out of the chain</td></tr>
 * <tr><td>{@value #EVENTS}</td><td>String[]</td><td>all it implements</td><td>the events the module is called for: see {@link #EVENTS}</td></tr>
 * <tr><td>{@value #NON_BLOCKING}</td><td>Boolean</td><td>false</td><td>the module's decisions never block: see {@link #NON_BLOCKING}</td></tr>
 * </table>
 */
public final class ModuleProperties {

    /** Prefix of every module property. */
    public static final String PREFIX = "switchboard.module.";
    /** The module's name. */
    public static final String NAME = PREFIX + "name";
    /** The module's {@link ModuleType}, by name. */
    public static final String TYPE = PREFIX + "type";
    /** The module's {@link Maturity}, by name. */
    public static final String MATURITY = PREFIX + "maturity";
    /** A one-line description. */
    public static final String DESCRIPTION = PREFIX + "description";
    /** Topic filters limiting the messages the module sees. */
    public static final String TOPICS = PREFIX + "topics";
    /** Time budget of one decision in milliseconds. */
    public static final String TIMEOUT = PREFIX + "timeout";
    /** {@link FailurePolicy}, by name. */
    public static final String FAILURE_POLICY = PREFIX + "failure.policy";
    /** Whether the module takes part in the chain. */
    public static final String ENABLED = PREFIX + "enabled";

    /**
     * The module promises that its message, delivery, call and decision callbacks never block: no I/O, no
     * waiting for locks, other threads or time; slow work is answered with {@link Verdict#later}. When every
     * module of those chains promises it, a client's message runs through them on the network thread that read
     * it, without the hand-off to a worker: lower latency. Such a call cannot be cut off by the watchdog (a
     * blocking one stalls every connection of that thread, and is logged); its time budget and failure policy
     * still apply when it returns. Leave it unset when in doubt.
     *
     * @since 1.1
     */
    public static final String NON_BLOCKING = PREFIX + "nonblocking";

    /**
     * Narrows the events the module is called for, by {@link io.switchboard.api.admin.ChainEvent} name (case
     * ignored: {@code message, decision}), to some of the callbacks its class implements; unset: all of them. An
     * event left out costs nothing: the broker does not raise it for the module at all (a monitor whose
     * configuration turns off its status lines sets it, so no status event is produced for it). An array, or a
     * comma-separated string. An unknown name keeps the last good value and is reported as a problem.
     *
     * @since 1.1
     */
    public static final String EVENTS = PREFIX + "events";

    /** Default of {@link #TIMEOUT} in milliseconds. */
    public static final long DEFAULT_TIMEOUT_MILLIS = 5000;

    private ModuleProperties() {
    }

    /**
     * The service properties of a module that derives some of them from other attributes (the
     * translator's topics from its rules): the public component properties, as DS would publish them
     * (all but the private ones, starting with {@code .}), with {@code derived} put over them.
     *
     * <p>DS itself publishes the configuration as it is and cannot derive a property, so such a module
     * sets the whole set with Felix SCR's {@code ExtComponentContext.setServiceProperties}, which replaces
     * what DS would publish and keeps it over later configuration changes until it is set again: a module
     * that calls it only after a change it accepted keeps its last good properties.
     *
     * @param componentProperties the component properties DS passes to {@code @Activate} and {@code @Modified}
     * @param derived the properties the module derives
     */
    public static Hashtable<String, Object> withDerived(Map<String, ?> componentProperties, Map<String, ?> derived) {
        Hashtable<String, Object> published = new Hashtable<>();
        componentProperties.forEach((key, value) -> {
            if (!key.startsWith(".")) {
                published.put(key, value);
            }
        });
        published.putAll(derived);
        return published;
    }
}
