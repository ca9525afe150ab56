package io.switchboard.module.auth.internal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * password file or a client certificate, and accepted as the user it establishes ({@link Admission#authenticated}),
 * which the broker gives the session as {@link Session#user()}; every publish, subscription and delivery is checked
 * against the ACL file as that user (never as a name the client merely claimed). Decisions, allowing or refusing,
 * name the rule or setting behind them, so {@code sb:trace} and the audit log show why. The files are checked for changes every
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
        nonblocking = true, // decides in memory; slow work would answer Verdict.later
        maturity = Maturity.BETA,
        failure_policy = FailurePolicy.FAIL_CLOSED,
        description = "Passwords and topic ACLs in Mosquitto's file formats")
public final class AuthModule implements MessageModule {

    /** The configuration PID: {@code configadmin/io.switchboard.module.auth.cfg}. */
    static final String PID = "io.switchboard.module.auth";
    static final String HOME_PROPERTY = "switchboard.home";
    /** The protocol of the sender session {@code sb:trace} runs a message as: judged as the user it names. */
    static final String TRACE_PROTOCOL = "trace";

    private static final Verdict BROKER_TOPIC = Verdict.consume(ReasonCode.NOT_AUTHORIZED,
            "$SYS topics belong to the broker: clients cannot publish to them");
    // the reasons for allowing without a rule, built once (traces and audit show them, messages allocate nothing)
    private static final Verdict NO_ACL = Verdict.pass("no acl.file: every topic allowed");
    private static final Admission NO_ACL_SUBSCRIBE = Admission.accept("no acl.file: every topic allowed");
    private static final Verdict BROKERS_OWN = Verdict.pass("the broker's own in-process clients are not restricted");
    private static final Admission BROKERS_OWN_SUBSCRIBE = Admission.accept("the broker's own in-process clients are not restricted");
    private static final Admission IN_PROCESS_LOGIN = Admission.accept("in-process client (allowed whatever allow.anonymous says)");

    @Reference
    HostServices host;

    /** Client-chosen names the broker's own clients use: a client claiming one is refused. */
    static final String RESERVED_PREFIX = "module:";

    private volatile AuthRules rules;
    private String allowAnonymous;
    private Admission anonymousAccepted;
    private String certificateIdentity;
    private ScheduledExecutorService reloader;

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
        anonymousAccepted = Admission.accept(allowAnonymous.equals("true") ? "anonymous allowed (allow.anonymous = true)"
                : "anonymous allowed on loopback (allow.anonymous = loopback)");
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
        if (certified != null) {
            if (certified.startsWith(RESERVED_PREFIX)) {
                return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "the client certificate names a reserved user");
            }
            return Admission.authenticated(certified, "client certificate " + (certificateIdentity.equals("cn") ? "CN" : "subject")
                    + " (use.identity.as.username = " + certificateIdentity + ")");
        }
        if (user != null && r.checksPasswords()) {
            if (!r.passwords().verify(user, login.password())) {
                host.logger().info("auth: refused client '{}': wrong user name or password for '{}'", login.clientId(), user);
                return Admission.refuse(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong user name or password");
            }
            return Admission.authenticated(user, "password checked against " + r.passwordPath().getFileName());
        }
        if (login.connection() == null) {
            return IN_PROCESS_LOGIN;
        }
        if (!anonymousAllowed(login.connection())) {
            host.logger().info("auth: refused anonymous client '{}' from {} (allow.anonymous = {})", login.clientId(),
                    login.connection().remoteAddress(), allowAnonymous);
            return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "anonymous clients are not allowed here (allow.anonymous = "
                    + allowAnonymous + ")");
        }
        // a user name without a password file proves nothing: the broker takes the client as anonymous
        return anonymousAccepted;
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
            default -> isLoopback(connection.localAddress());
        };
    }

    private static boolean isLoopback(InetSocketAddress address) {
        return address != null && address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    /**
     * Whether {@code session} is one of the broker's own in-process clients (modules, services), which the ACL does not
     * restrict; a recovered session waiting for its client, and a trace's sender, are judged by their user.
     */
    private static boolean brokersOwn(Session session) {
        return session.connection() == null && session.isOnline() && !TRACE_PROTOCOL.equals(session.protocol());
    }

    /** The user the ACL judges {@code session} as (the one the broker established at login); null when anonymous. */
    private static String aclUser(Session session) {
        String user = session.user();
        return user == null || user.equals(Session.ANONYMOUS) ? null : user;
    }

    // ---- authorisation

    @Override
    public Admission onSubscribe(Session session, Subscription subscription) {
        AclFile acl = rules.acl();
        if (acl == null) {
            return NO_ACL_SUBSCRIBE;
        }
        if (brokersOwn(session)) {
            return BROKERS_OWN_SUBSCRIBE;
        }
        AclFile.Decision d = acl.subscribe(aclUser(session), session.clientId(), subscription.topicFilter());
        if (d.allowed()) {
            return d.rule().admits();
        }
        return Admission.refuse(ReasonCode.NOT_AUTHORIZED, "not authorised to subscribe to '" + subscription.topicFilter()
                + "': " + d.because());
    }

    // The per-message callbacks return verdicts built once (the no-ACL one, or the allowing rule's own, built when the
    // file was read): with no ACL file (the shipped default) a message costs two volatile reads and a prefix test, and
    // no string is formatted unless a message is refused.

    @Override
    public Verdict onMessage(Message message, Session sender) {
        String topic = message.topic();
        boolean sys = topic.startsWith("$SYS") && (topic.length() == 4 || topic.charAt(4) == '/');
        AclFile acl = rules.acl();
        if (sender == null || brokersOwn(sender)) {
            return BROKERS_OWN;
        }
        if (sys) {
            return BROKER_TOPIC;
        }
        if (acl == null) {
            return NO_ACL;
        }
        AclFile.Decision d = acl.write(aclUser(sender), sender.clientId(), topic);
        return d.allowed() ? d.rule().passes()
                : Verdict.consume(ReasonCode.NOT_AUTHORIZED, "not authorised to publish to '" + topic + "': " + d.because());
    }

    @Override
    public Verdict onDelivery(Message message, Session recipient) {
        AclFile acl = rules.acl();
        if (acl == null) {
            return NO_ACL;
        }
        if (brokersOwn(recipient)) {
            return BROKERS_OWN;
        }
        AclFile.Decision d = acl.read(aclUser(recipient), recipient.clientId(), message.topic());
        return d.allowed() ? d.rule().passes()
                : Verdict.consume(ReasonCode.NOT_AUTHORIZED, "not authorised to read '" + message.topic() + "': " + d.because());
    }

    /** The rules in force (the shell and tests). */
    AuthRules rules() {
        return rules;
    }
}
