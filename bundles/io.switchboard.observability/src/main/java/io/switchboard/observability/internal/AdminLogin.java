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
import java.util.function.LongSupplier;

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
import org.osgi.service.component.annotations.Modified;
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
 * never the password. An address refused {@code max.failures} times in a row is turned away with 429 for
 * {@code block.seconds} ({@link FailedLogins}).
 */
@Component(service = Preprocessor.class, configurationPid = AdminLogin.PID)
@Designate(ocd = AdminLoginConfig.class)
public final class AdminLogin implements Preprocessor {

    static final String PID = "io.switchboard.http.login";
    static final String REALM = "Switchboard administration";
    private static final Logger LOG = LoggerFactory.getLogger(AdminLogin.class);
    private static final long CHECK_TIMEOUT_SECONDS = 10;

    private final LongSupplier clock;
    /** The configuration in force: replaced whole on a change, so the preprocessor stays registered meanwhile. */
    private volatile Guard guard;
    private final AtomicLong requests = new AtomicLong();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Broker broker;

    /**
     * What one configuration decides. {@code invalid} (why the configuration was refused) locks the endpoints for
     * everyone but loopback: a typo must not open them.
     */
    private record Guard(Set<String> admins, Set<String> openPaths, VerifiedLogins verified, FailedLogins failed,
            int maxFailures, int blockSeconds, String invalid) {
    }

    /** Takes the configuration (or its defaults: {@code admin} may log in, health checks are open). */
    @Activate
    public AdminLogin(AdminLoginConfig config) {
        this(config, System::nanoTime);
    }

    private AdminLogin(AdminLoginConfig config, LongSupplier clock) {
        this.clock = clock;
        modified(config);
    }

    /** Used by the tests: the broker to check logins with, and the clock. */
    AdminLogin(AdminLoginConfig config, Broker broker, LongSupplier clock) {
        this(config, clock);
        this.broker = broker;
    }

    /** A changed configuration applies to the next request; logins remembered or counted so far are forgotten. */
    @Modified
    void modified(AdminLoginConfig config) {
        try {
            guard = guardOf(config);
            LOG.info("HTTP administration: no login on loopback; elsewhere {}; open to all: {}; {}",
                    guard.admins().isEmpty() ? "nobody (admin.users is empty)" : "a login as one of " + guard.admins(),
                    guard.openPaths(), guard.maxFailures() == 0 ? "no block after failed logins"
                            : "an address is blocked " + guard.blockSeconds() + " s after " + guard.maxFailures()
                                    + " failed logins in a row");
        } catch (IllegalArgumentException e) {
            guard = new Guard(Set.of(), Set.of(), null, null, 0, 0, e.getMessage());
            LOG.error("HTTP administration: {}: only loopback is served until the configuration is fixed", e.getMessage());
        }
    }

    private Guard guardOf(AdminLoginConfig config) {
        if (config.remember_seconds() < 0) {
            throw new IllegalArgumentException(PID + ": remember.seconds must be 0 or more, was " + config.remember_seconds());
        }
        if (config.max_failures() < 0) {
            throw new IllegalArgumentException(PID + ": max.failures must be 0 or more, was " + config.max_failures());
        }
        if (config.block_seconds() < 1) {
            throw new IllegalArgumentException(PID + ": block.seconds must be 1 or more, was " + config.block_seconds());
        }
        return new Guard(Set.copyOf(ConfigLists.of(config.admin_users())), Set.copyOf(ConfigLists.of(config.open_paths())),
                new VerifiedLogins(TimeUnit.SECONDS.toNanos(config.remember_seconds()), clock),
                new FailedLogins(config.max_failures(), TimeUnit.SECONDS.toNanos(config.block_seconds()), clock),
                config.max_failures(), config.block_seconds(), null);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Guard g = guard;
        if (isLoopback(request.getLocalAddr()) || g.openPaths().contains(request.getRequestURI())) {
            chain.doFilter(req, res);
            return;
        }
        if (g.invalid() != null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the HTTP login's configuration is invalid (the broker's log says why): only loopback is served");
            return;
        }
        BasicCredentials credentials = BasicCredentials.parse(request.getHeader("Authorization"));
        if (credentials == null) {
            challenge(response, "log in with an administrator's user name and password (admin.users of " + PID + ")");
            return;
        }
        String address = request.getRemoteAddr();
        long blocked = g.failed().blockedFor(address);
        if (blocked > 0) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(blocked + TimeUnit.SECONDS.toNanos(1) - 1));
            response.setStatus(429); // Too Many Requests
            response.setHeader("Retry-After", Long.toString(seconds));
            response.setContentType("text/plain; charset=utf-8");
            response.getOutputStream().write(("too many failed logins from this address: try again in " + seconds + " s\n")
                    .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!g.admins().contains(credentials.user())) {
            refuse(g, response, credentials, address, "not one of admin.users");
            return;
        }
        if (g.verified().remembers(credentials)) {
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
            g.verified().accepted(credentials);
            g.failed().accepted(address);
            chain.doFilter(req, res);
        } else {
            g.verified().refused(credentials);
            refuse(g, response, credentials, address, refusal);
        }
    }

    private static void refuse(Guard g, HttpServletResponse response, BasicCredentials credentials, String address,
            String why) throws IOException {
        LOG.info("HTTP administration: login of '{}' from {} refused: {}", credentials.user(), address, why);
        if (g.failed().refused(address)) {
            LOG.warn("HTTP administration: {} refused logins in a row from {}: its logins are turned away for {} s"
                    + " (max.failures, block.seconds of {})", g.maxFailures(), address, g.blockSeconds(), PID);
        }
        challenge(response, "wrong user name or password, or not an administrator");
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
