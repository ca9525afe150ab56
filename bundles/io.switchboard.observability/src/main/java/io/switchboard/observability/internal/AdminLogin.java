package io.switchboard.observability.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.switchboard.api.broker.Broker;
import io.switchboard.api.broker.ClientConnection;
import io.switchboard.api.broker.LoginRequest;
import io.switchboard.api.broker.RefusedException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.Preprocessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards every HTTP Whiteboard endpoint (ours and modules'; a preprocessor runs before any context) on
 * connections to an address other than loopback: HTTP Basic login as one of {@code admin.users}, the password
 * checked by the broker's login chain ({@link Broker#authenticate}: the auth module's password file, or whichever
 * authentication module is deployed). Connections to loopback need no login, as MQTT's {@code allow.anonymous =
 * loopback}; {@code open.paths} (health checks) need none anywhere. Refusals are logged with the user and address,
 * never the password.
 */
@Component(service = Preprocessor.class, configurationPid = AdminLogin.PID)
@Designate(ocd = AdminLoginConfig.class)
public final class AdminLogin implements Preprocessor {

    static final String PID = "io.switchboard.http.login";
    static final String REALM = "Switchboard administration";
    private static final Logger LOG = LoggerFactory.getLogger(AdminLogin.class);
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private final Set<String> admins;
    private final Set<String> openPaths;
    private final VerifiedLogins verified;
    private final AtomicLong requests = new AtomicLong();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Broker broker;

    /** Takes the configuration (or its defaults: {@code admin} may log in, health checks are open). */
    @Activate
    public AdminLogin(AdminLoginConfig config) {
        admins = Set.copyOf(ConfigLists.of(config.admin_users()));
        openPaths = Set.copyOf(ConfigLists.of(config.open_paths()));
        if (config.remember_seconds() < 0) {
            throw new IllegalArgumentException(PID + ": remember.seconds must be 0 or more, was " + config.remember_seconds());
        }
        verified = new VerifiedLogins(TimeUnit.SECONDS.toNanos(config.remember_seconds()), System::nanoTime);
        LOG.info("HTTP administration: no login on loopback; elsewhere {}; open to all: {}",
                admins.isEmpty() ? "nobody (admin.users is empty)" : "a login as one of " + admins, openPaths);
    }

    /** Used by the tests: the broker to check logins with. */
    AdminLogin(AdminLoginConfig config, Broker broker) {
        this(config);
        this.broker = broker;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        if (isLoopback(request.getLocalAddr()) || openPaths.contains(request.getRequestURI())) {
            chain.doFilter(req, res);
            return;
        }
        BasicCredentials credentials = BasicCredentials.parse(request.getHeader("Authorization"));
        if (credentials == null) {
            challenge(response, "log in with an administrator's user name and password (admin.users of " + PID + ")");
            return;
        }
        if (!admins.contains(credentials.user())) {
            LOG.info("HTTP administration: login of '{}' from {} refused: not one of admin.users", credentials.user(),
                    request.getRemoteAddr());
            challenge(response, "wrong user name or password, or not an administrator");
            return;
        }
        if (verified.remembers(credentials)) {
            chain.doFilter(req, res);
            return;
        }
        Broker b = broker;
        if (b == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the broker core is not running, so logins cannot be checked");
            return;
        }
        String refusal = check(b, credentials, request);
        if (refusal == null) {
            verified.accepted(credentials);
            chain.doFilter(req, res);
        } else {
            verified.refused(credentials);
            LOG.info("HTTP administration: login of '{}' from {} refused: {}", credentials.user(), request.getRemoteAddr(),
                    refusal);
            challenge(response, "wrong user name or password, or not an administrator");
        }
    }

    /** Runs the login chain for {@code credentials}: null when it established the same user, else why not. */
    private String check(Broker b, BasicCredentials credentials, HttpServletRequest request) throws IOException {
        InetSocketAddress remote = new InetSocketAddress(request.getRemoteAddr(), request.getRemotePort());
        InetSocketAddress local = new InetSocketAddress(request.getLocalAddr(), request.getLocalPort());
        ClientConnection connection = null;
        try {
            connection = b.accept(remote, local, "http").toCompletableFuture().get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LoginRequest login = new LoginRequest(connection, "http:" + requests.incrementAndGet(), credentials.user(),
                    credentials.password(), "http", true);
            String user = b.authenticate(login).toCompletableFuture().get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return user.equals(credentials.user()) ? null : "the login chain established another user ('" + user + "')";
        } catch (ExecutionException | CompletionException e) {
            return e.getCause() instanceof RefusedException r ? r.getMessage() : "the check failed: " + e.getCause();
        } catch (TimeoutException e) {
            return "the login chain did not decide within " + CHECK_TIMEOUT_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking a login", e);
        } finally {
            if (connection != null) {
                connection.closed("HTTP login checked");
            }
        }
    }

    private static void challenge(HttpServletResponse response, String why) throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        response.setContentType("text/plain; charset=utf-8");
        response.getOutputStream().write((why + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code address} (an IP literal, as the servlet container gives it) is a loopback address. */
    static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException notAnAddress) {
            return false;
        }
    }

}
