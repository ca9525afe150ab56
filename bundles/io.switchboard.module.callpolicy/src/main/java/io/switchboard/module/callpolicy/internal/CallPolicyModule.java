package io.switchboard.module.callpolicy.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.Call;
import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleType;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;
import io.switchboard.module.callpolicy.internal.CallPolicySettings.Window;

/**
 * The call policy: refuses calls to users in their do-not-disturb hours, and remembers the recent
 * calls with their state and duration for the shell.
 *
 * <p>What it shows a module author: the call callbacks. Calls are signalled over ordinary messages on
 * {@code $call/<callee>/<callId>/<state>} (see {@link Call}). A set-up goes through {@link #onCall},
 * which may refuse it ({@link Verdict#consume(ReasonCode, String)}: the callee never sees it, an MQTT 5
 * caller gets reason code 0x87 and the reason); every later signal through {@link #onCallStatus}, which
 * only observes. The module overrides nothing else, so the broker never calls it for other messages.
 */
@Component(
        name = CallPolicyModule.PID,
        configurationPid = CallPolicyModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = CallPolicyConfig.class)
@SwitchboardModule(
        name = CallPolicyModule.BASE_NAME,
        type = ModuleType.FILTER,
        maturity = Maturity.BETA,
        description = "Refuses calls in do-not-disturb hours; records call durations")
public final class CallPolicyModule implements MessageModule {

    /** The configuration PID: {@code configadmin/io.switchboard.module.callpolicy.cfg}. */
    static final String PID = "io.switchboard.module.callpolicy";
    /** The module's default name. */
    static final String BASE_NAME = "callpolicy";


    /** Logs under the module's name, sends, HTTP, and reports rejected configurations so the shell shows them. */
    @Reference
    HostServices host;

    /** The clock do-not-disturb hours and call times are read from; a test sets its own. */
    Clock clock = Clock.systemUTC();

    /** The last good settings; replaced whole, read once per call signal. */
    private volatile CallPolicySettings settings;
    private volatile String name = BASE_NAME;
    private volatile CallLog log;

    @Activate
    void activate(Map<String, Object> properties, CallPolicyConfig config) {
        CallPolicySettings compiled;
        try {
            compiled = CallPolicySettings.compile(properties, config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(BASE_NAME + ": invalid configuration: " + e.getMessage(), e);
        }
        log = new CallLog(compiled.historySize());
        apply(compiled);
        host.logger().info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live (the call history is kept, trimmed to the new size); a bad one is reported. */
    @Modified
    void modified(Map<String, Object> properties, CallPolicyConfig config) {
        CallPolicySettings compiled;
        try {
            compiled = CallPolicySettings.compile(properties, config);
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        log.resize(compiled.historySize());
        apply(compiled);
        host.logger().info("{}: configuration applied: {}", name, compiled);
    }

    @Deactivate
    void deactivate() {
        host.logger().info("{}: deactivated", name);
    }

    /** A call is set up: refused if the callee is in do-not-disturb hours, else remembered and passed. */
    @Override
    public Verdict onCall(Call call) {
        CallPolicySettings current = settings;
        Instant now = clock.instant();
        Window dnd = current.dndWindow(call.callee(), now);
        if (dnd != null) {
            String reason = current.reason(call.callee(), dnd);
            log.refused(call, now, reason);
            host.logger().debug("{}: refused call {} from {} to {}: do not disturb {}", name, call.callId(), call.from(),
                    call.callee(), dnd);
            // 0x87 "not authorized": the caller may not call this callee now
            return Verdict.consume(ReasonCode.NOT_AUTHORIZED, reason);
        }
        log.setUp(call, now);
        return Verdict.pass();
    }

    /** A later signal of a call: remembered (answered and ended times give the duration). */
    @Override
    public void onCallStatus(Call call) {
        log.status(call, clock.instant());
    }

    /** The settings in force. */
    CallPolicySettings settings() {
        return settings;
    }

    /** The recent calls. */
    CallLog calls() {
        return log;
    }

    /** The name this module logs with. */
    String name() {
        return name;
    }

    private void apply(CallPolicySettings compiled) {
        settings = compiled;
        name = compiled.name();
    }
}
