package io.switchboard.module.auth.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.switchboard.api.Admission;
import io.switchboard.api.Connection;
import io.switchboard.api.FailurePolicy;
import io.switchboard.api.HostServices;
import io.switchboard.api.Login;
import io.switchboard.api.Maturity;
import io.switchboard.api.Message;
import io.switchboard.api.MessageModule;
import io.switchboard.api.ModuleType;
import io.switchboard.api.ReasonCode;
import io.switchboard.api.Session;
import io.switchboard.api.Subscription;
import io.switchboard.api.SwitchboardModule;
import io.switchboard.api.Verdict;

/**
 * Authentication and topic authorisation with Mosquitto's files: a login is checked against the
 * password file, and every publish, subscription and delivery against the ACL file, with the identity
 * this module established (never the name a client merely claimed). Refusals name the rule behind them,
 * so {@code sb:trace} and the audit log show why. The files are checked for changes every
 * {@code reload.interval.ms}; a file with a bad line is reported (file and line) and its last good
 * rules stay in force. Fails closed: when it cannot decide, nothing passes.
 */
@Component(
        name = AuthModule.PID,
        configurationPid = AuthModule.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true,
        service = MessageModule.class)
@Designate(ocd = AuthConfig.class)
@SwitchboardModule(
        name = "auth",
        type = ModuleType.AUTHENTICATOR,
        maturity = Maturity.BETA,
        failure_policy = FailurePolicy.FAIL_CLOSED,
        description = "Passwords and topic ACLs in Mosquitto's file formats")
public final class AuthModule implements MessageModule {

    /** The configuration PID: {@code configadmin/io.switchboard.module.auth.cfg}. */
    static final String PID = "io.switchboard.module.auth";
    static final String HOME_PROPERTY = "switchboard.home";
    /** How long an accepted login may wait for its session to open before its identity is forgotten. */
    private static final long PENDING_MILLIS = 60_000;

    /** Who a client is, as this module established it: a user from the password file, or anonymous (null). */
    record Identity(String user) {
        static final Identity ANONYMOUS = new Identity(null);
    }

    private record Pending(Identity identity, long since) {
    }

    private static final Verdict BROKER_TOPIC = Verdict.consume(ReasonCode.NOT_AUTHORIZED,
            "$SYS topics belong to the broker: clients cannot publish to them");

    @Reference
    HostServices host;

    /** Client-chosen names the broker's own clients use: a client claiming one is refused. */
    static final String RESERVED_PREFIX = "module:";

    private volatile AuthRules rules;
    private String allowAnonymous;
    private String certificateIdentity;
    private ScheduledExecutorService reloader;
    /** Accepted logins by connection id, until their session opens (the login event has no session yet). */
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();

    @Activate
    void activate(BundleContext context, AuthConfig config) throws AuthFileException {
        Path home = Path.of(context.getProperty(HOME_PROPERTY) == null ? "" : context.getProperty(HOME_PROPERTY));
        start(config, home);
    }

    /** Reads the files and starts watching them; a file that cannot be used fails the activation. */
    void start(AuthConfig config, Path home) throws AuthFileException {
        allowAnonymous = config.allow_anonymous().strip();
        if (!allowAnonymous.equals("loopback") && !allowAnonymous.equals("true") && !allowAnonymous.equals("false")) {
            throw new IllegalArgumentException(PID + ": allow.anonymous must be loopback, true or false, was '"
                    + config.allow_anonymous() + "'");
        }
        certificateIdentity = config.use_identity_as_username().strip();
        if (!certificateIdentity.equals("none") && !certificateIdentity.equals("cn") && !certificateIdentity.equals("subject")) {
            throw new IllegalArgumentException(PID + ": use.identity.as.username must be none, cn or subject, was '"
                    + config.use_identity_as_username() + "'");
        }
        if (config.reload_interval_ms() < 100) {
            throw new IllegalArgumentException(PID + ": reload.interval.ms must be at least 100, was " + config.reload_interval_ms());
        }
        rules = AuthRules.read(path(home, config.password_file()), path(home, config.acl_file()));
        host.logger().info("auth: passwords {}, ACL {}, anonymous clients: {}",
                rules.checksPasswords() ? rules.passwordPath() + " (" + rules.passwords().size() + " users)" : "off (everyone is anonymous)",
                rules.acl() == null ? "off (every topic allowed)" : rules.acl(), allowAnonymous);
        reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "switchboard-auth-reload");
            t.setDaemon(true);
            return t;
        });
        reloader.scheduleWithFixedDelay(this::reload, config.reload_interval_ms(), config.reload_interval_ms(),
                TimeUnit.MILLISECONDS);
    }

    private static Path path(Path home, String configured) {
        return configured == null || configured.isBlank() ? null : home.resolve(configured.strip());
    }

    @Deactivate
    void deactivate() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
        pending.clear();
    }

    /** Reads the files that changed; a bad one is reported and its last good rules stay. */
    synchronized void reload() {
        List<AuthFileException> problems = new ArrayList<>();
        List<Path> applied = new ArrayList<>();
        rules = rules.reloaded(new AuthRules.Problems() {
            @Override
            public void report(AuthFileException problem) {
                problems.add(problem);
            }

            @Override
            public void applied(Path file) {
                applied.add(file);
            }
        });
        // reported once the rules are in force, so whoever reads the log sees them applied
        for (Path file : applied) {
            host.logger().info("auth: {} changed and is applied", file);
        }
        for (AuthFileException problem : problems) {
            host.logger().error("auth: {}; the last good rules of that file stay in force", problem.getMessage());
        }
        if (!problems.isEmpty()) {
            host.reportProblem(this, problems.get(0).getMessage());
        } else if (!applied.isEmpty()) {
            host.reportProblem(this, null);
        }
    }

    // ---- authentication

    @Override
    public Admission onLogin(Login login) {
        AuthRules r = rules;
        String user = login.userName() == null || login.userName().isEmpty() ? null : login.userName();
        if ((user != null && user.startsWith(RESERVED_PREFIX)) || login.clientId().startsWith(RESERVED_PREFIX)) {
            host.logger().info("auth: refused client '{}': '{}' names are the broker's own", login.clientId(), RESERVED_PREFIX);
            return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "user names and client ids starting with '"
                    + RESERVED_PREFIX + "' are reserved for the broker's modules");
        }
        String certified = certifiedUser(login.connection());
        Identity identity;
        if (certified != null) {
            identity = new Identity(certified);
        } else if (user != null && r.checksPasswords()) {
            if (!r.passwords().verify(user, login.password())) {
                host.logger().info("auth: refused client '{}': wrong user name or password for '{}'", login.clientId(), user);
                return Admission.refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong user name or password");
            }
            identity = new Identity(user);
        } else {
            if (!anonymousAllowed(login.connection())) {
                host.logger().info("auth: refused anonymous client '{}' from {} (allow.anonymous = {})", login.clientId(),
                        login.connection() == null ? "in-process" : login.connection().remoteAddress(), allowAnonymous);
                return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "anonymous clients are not allowed here (allow.anonymous = "
                        + allowAnonymous + ")");
            }
            identity = Identity.ANONYMOUS;
        }
        if (login.connection() != null) {
            long now = System.currentTimeMillis();
            pending.values().removeIf(p -> now - p.since() > PENDING_MILLIS);
            pending.put(login.connection().id(), new Pending(identity, now));
        }
        return Admission.accept();
    }

    /** The user a verified client certificate names, when {@code use.identity.as.username} says to take it. */
    private String certifiedUser(Connection connection) {
        if (certificateIdentity.equals("none") || connection == null) {
            return null;
        }
        return connection.tls().filter(t -> !t.peerCertificates().isEmpty())
                .map(t -> Certificates.userName(t.peerCertificates().get(0), certificateIdentity.equals("cn")))
                .orElse(null);
    }

    private boolean anonymousAllowed(Connection connection) {
        return switch (allowAnonymous) {
            case "true" -> true;
            case "false" -> false;
            default -> connection == null || isLoopback(connection.localAddress());
        };
    }

    private static boolean isLoopback(InetSocketAddress address) {
        return address != null && address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    @Override
    public void onSessionOpen(Session session) {
        Connection c = session.connection();
        Pending p = c == null ? null : pending.remove(c.id());
        if (p != null) {
            session.setState(this, p.identity());
        }
    }

    @Override
    public void onLogout(Session session, String reason) {
        Connection c = session.connection();
        if (c != null) {
            pending.remove(c.id());
        }
    }

    /**
     * The identity of {@code session}'s client; null for the broker's own in-process clients (modules),
     * which the ACL does not restrict. A session recovered after a restart that has not logged in again
     * is taken as its recorded user, anonymous when that is its client id.
     */
    private Identity identity(Session session) {
        Identity own = session.state(this, Identity.class);
        if (own != null) {
            return own;
        }
        if (session.connection() == null && session.isOnline()) {
            return null;
        }
        String user = session.user();
        return user == null || user.equals(session.clientId()) ? Identity.ANONYMOUS : new Identity(user);
    }

    // ---- authorisation

    @Override
    public Admission onSubscribe(Session session, Subscription subscription) {
        AclFile acl = rules.acl();
        Identity who = acl == null ? null : identity(session);
        if (who == null) {
            return Admission.accept();
        }
        AclFile.Decision d = acl.subscribe(who.user(), session.clientId(), subscription.topicFilter());
        if (d.allowed()) {
            return Admission.accept();
        }
        return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "not authorised to subscribe to '" + subscription.topicFilter()
                + "': " + d.because());
    }

    // The two per-message callbacks read the rules first and look the session's identity up only when a rule
    // needs it: with no ACL file (the shipped default) a message costs a volatile read and a prefix test.

    @Override
    public Verdict onMessage(Message message, Session sender) {
        String topic = message.topic();
        boolean sys = topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
        AclFile acl = rules.acl();
        if ((!sys && acl == null) || sender == null) {
            return Verdict.pass();
        }
        Identity who = identity(sender);
        if (who == null) {
            return Verdict.pass(); // the broker's own clients
        }
        if (sys) {
            return BROKER_TOPIC;
        }
        AclFile.Decision d = acl.write(who.user(), sender.clientId(), topic);
        return d.allowed() ? Verdict.pass()
                : Verdict.consume(ReasonCode.NOT_AUTHORIZED, "not authorised to publish to '" + topic + "': " + d.because());
    }

    @Override
    public Verdict onDelivery(Message message, Session recipient) {
        AclFile acl = rules.acl();
        Identity who = acl == null ? null : identity(recipient);
        if (who == null) {
            return Verdict.pass();
        }
        AclFile.Decision d = acl.read(who.user(), recipient.clientId(), message.topic());
        return d.allowed() ? Verdict.pass()
                : Verdict.consume(ReasonCode.NOT_AUTHORIZED, "not authorised to read '" + message.topic() + "': " + d.because());
    }

    /** The rules in force (the shell and tests). */
    AuthRules rules() {
        return rules;
    }
}
