package io.switchboard.core.internal.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where one request of an {@link Exchange} goes; redirects make new hops. */
record Hop(String method, URI uri, byte[] body, String contentType, boolean credentials) {

    private static final Logger LOG = LoggerFactory.getLogger(Hop.class);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    String label() {
        return method + " " + uri;
    }

    /**
     * Where a response with {@code status} and {@code location} leads, or null if it is not a redirect or cannot be
     * followed (then it is the final response). Credentials go along only to the same origin.
     */
    Hop redirect(int status, String location) {
        if (!REDIRECTS.contains(status) || location == null || location.isBlank()) {
            return null;
        }
        URI next;
        try {
            next = uri.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            LOG.debug("{}: unusable redirect location {}", label(), location, e);
            return null;
        }
        String scheme = next.getScheme();
        if (next.getHost() == null || !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            return null;
        }
        boolean sendCredentials = credentials && sameOrigin(uri, next);
        boolean toGet = status == 303 && !method.equals("GET") && !method.equals("HEAD")
                || (status == 301 || status == 302) && method.equals("POST");
        if (toGet) {
            return new Hop("GET", next, new byte[0], null, sendCredentials);
        }
        return new Hop(method, next, body, contentType, sendCredentials);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}
