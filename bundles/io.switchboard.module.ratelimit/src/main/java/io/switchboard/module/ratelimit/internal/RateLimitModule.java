package io.switchboard.module.ratelimit.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.HostServices;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleType;
import io.switchboard.api.Session;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;
import io.switchboard.module.ratelimit.internal.RateLimitSettings.TopicRule;

/**
 * The rate limit: every client session has a token bucket, and every topic rule one shared by all who
 * publish to its topics; a message that finds a bucket empty is consumed with reason code 0x97
 * (quota exceeded), which an MQTT 5 publisher receives in its PUBACK or PUBREC.
 *
 * <p>What it shows a module author, beyond the profanity module:
 * <ul>
 * <li>Per-session state: each session's bucket is kept on the session ({@link Session#setState}), so the
 * message path finds it without a map look-up, and dropped in {@link #onSessionFree}.</li>
 * <li>A cheap hot path: a bucket is one {@code AtomicLong} taken with one compare-and-set
 * ({@link Bucket}); the refusal verdicts are made once per configuration; a message that passes
 * allocates nothing.</li>
 * <li>A Gogo command reading the module's live state ({@link RateLimitCommands}).</li>
 * </ul>
 */
@Component(
        name = RateLimitModule.PID,
        configurationPid = RateLimitModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = RateLimitConfig.class)
@SwitchboardModule(
        name = RateLimitModule.BASE_NAME,
        type = ModuleType.FILTER,
        nonblocking = true, // decides in memory; slow work would answer Verdict.later
        maturity = Maturity.BETA,
        description = "Limits how fast clients and topics may publish")
public final class RateLimitModule implements MessageModule {

    /** The configuration PID: {@code configadmin/io.switchboard.module.ratelimit.cfg}. */
    static final String PID = "io.switchboard.module.ratelimit";
    /** The module's default name. */
    static final String BASE_NAME = "ratelimit";


    /** A client session's bucket, with what the shell shows about its owner. */
    static final class ClientBucket extends Bucket {
        final long sessionId;
        final String clientId;
        final String user;

        ClientBucket(Limit limit, long now, Session session) {
            super(limit, now);
            this.sessionId = session.id();
            this.clientId = session.clientId();
            this.user = session.user();
        }
    }

    /** Logs under the module's name, sends, HTTP, and reports rejected configurations so the shell shows them. */
    @Reference
    HostServices host;

    /** The clock the buckets run on; a test sets its own. */
    LongSupplier nanoTime = System::nanoTime;

    /** The last good settings; replaced whole, read once per message. */
    private volatile RateLimitSettings settings;
    private volatile String name = BASE_NAME;
    /** Every client bucket, for the shell; a session's bucket joins on its first message and leaves when it is freed. */
    private final Set<ClientBucket> clientBuckets = ConcurrentHashMap.newKeySet();

    @Activate
    void activate(Map<String, Object> properties, RateLimitConfig config) {
        RateLimitSettings compiled;
        try {
            compiled = RateLimitSettings.compile(properties, config, nanoTime.getAsLong());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(BASE_NAME + ": invalid configuration: " + e.getMessage(), e);
        }
        apply(compiled);
        host.logger().info("{}: activated: {}", name, compiled);
    }

    /** New configuration, applied live to the existing buckets; a bad one is reported and the last good one stays. */
    @Modified
    void modified(Map<String, Object> properties, RateLimitConfig config) {
        RateLimitSettings compiled;
        try {
            compiled = RateLimitSettings.compile(properties, config, nanoTime.getAsLong());
        } catch (IllegalArgumentException e) {
            host.reportProblem(this, name + ": configuration rejected, keeping the last good one: " + e.getMessage());
            return;
        }
        host.reportProblem(this, null);
        apply(compiled.keepingBucketsOf(settings));
        host.logger().info("{}: configuration applied: {}", name, compiled);
    }

    @Deactivate
    void deactivate() {
        clientBuckets.clear();
        host.logger().info("{}: deactivated", name);
    }

    @Override
    public Verdict onMessage(Message message, Session sender) {
        RateLimitSettings current = settings; // one message, one configuration
        if (sender != null && current.exempt(sender.user())) {
            return Verdict.pass();
        }
        long now = nanoTime.getAsLong();
        Limit clientLimit = current.clientLimit();
        ClientBucket client = null;
        if (clientLimit != null && sender != null) {
            client = bucketOf(sender, clientLimit, now);
            if (!client.tryTake(clientLimit, now)) {
                host.logger().debug("{}: refused {} from client {}: over {}", name, message, client.clientId, clientLimit);
                return current.clientRefusal();
            }
        }
        TopicRule rule = current.ruleFor(message.topic());
        if (rule != null && !rule.bucket().tryTake(rule.limit(), now)) {
            if (client != null) {
                client.giveBack(); // the client's token was not used after all
            }
            host.logger().debug("{}: refused {}: over {} on {}", name, message, rule.limit(), rule.filter());
            return rule.refusal();
        }
        return Verdict.pass();
    }

    /** A session ended for good: its bucket goes. */
    @Override
    public void onSessionFree(Session session) {
        ClientBucket bucket = session.state(this, ClientBucket.class);
        if (bucket != null) {
            clientBuckets.remove(bucket);
            session.setState(this, null);
        }
    }

    /** The session's bucket; made full on its first message. Only the session's own worker runs this for it. */
    private ClientBucket bucketOf(Session session, Limit limit, long now) {
        ClientBucket bucket = session.state(this, ClientBucket.class);
        if (bucket == null) {
            bucket = new ClientBucket(limit, now, session);
            session.setState(this, bucket);
            clientBuckets.add(bucket);
        }
        return bucket;
    }

    /** One bucket as the shell shows it. */
    record BucketView(String kind, String key, Limit limit, double tokens, long passed, long refused) {
    }

    /** A snapshot of every bucket now: the clients' and the topic rules'. */
    List<BucketView> buckets() {
        RateLimitSettings current = settings;
        long now = nanoTime.getAsLong();
        List<BucketView> views = new ArrayList<>();
        Limit clientLimit = current.clientLimit();
        if (clientLimit != null) {
            for (ClientBucket b : clientBuckets) {
                String key = b.clientId.equals(b.user) ? b.clientId : b.clientId + " (" + b.user + ")";
                views.add(new BucketView("client", key, clientLimit, b.tokens(clientLimit, now), b.passed(), b.refused()));
            }
        }
        for (TopicRule rule : current.topicRules()) {
            Bucket b = rule.bucket();
            views.add(new BucketView("topic", rule.filter(), rule.limit(), b.tokens(rule.limit(), now), b.passed(),
                    b.refused()));
        }
        return views;
    }

    /** The settings in force. */
    RateLimitSettings settings() {
        return settings;
    }

    /** The name this module logs with. */
    String name() {
        return name;
    }

    private void apply(RateLimitSettings compiled) {
        settings = compiled;
        name = compiled.name();
    }
}
