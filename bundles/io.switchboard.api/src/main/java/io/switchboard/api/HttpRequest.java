package io.switchboard.api;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An HTTP request for {@link HostServices#http}, with the options modules commonly need. Immutable;
 * build with {@link #get(String)}, {@link #post(String)} or {@link #builder(String, String)}.
 */
public final class HttpRequest {

    private final String method;
    private final URI uri;
    private final byte[] body;
    private final String contentType;
    private final List<String[]> headers;
    private final InetSocketAddress proxy;
    private final String userAgent;
    private final String referrer;
    private final String origin;
    private final String cookie;
    private final String acceptEncoding;
    private final String cacheControl;
    private final String accept;
    private final String etag;
    private final Instant ifModifiedSince;
    private final int maxRedirects;
    private final Duration connectTimeout;
    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final Duration totalTimeout;
    private final int retries;
    private final boolean streaming;

    private HttpRequest(Builder b) {
        this.method = b.method;
        this.uri = b.uri;
        this.body = b.body;
        this.contentType = b.contentType;
        this.headers = List.copyOf(b.headers);
        this.proxy = b.proxy;
        this.userAgent = b.userAgent;
        this.referrer = b.referrer;
        this.origin = b.origin;
        this.cookie = b.cookie;
        this.acceptEncoding = b.acceptEncoding;
        this.cacheControl = b.cacheControl;
        this.accept = b.accept;
        this.etag = b.etag;
        this.ifModifiedSince = b.ifModifiedSince;
        this.maxRedirects = b.maxRedirects;
        this.connectTimeout = b.connectTimeout;
        this.headerTimeout = b.headerTimeout;
        this.bodyTimeout = b.bodyTimeout;
        this.totalTimeout = b.totalTimeout;
        this.retries = b.retries;
        this.streaming = b.streaming;
    }

    /** Starts a GET request. */
    public static Builder get(String uri) {
        return builder("GET", uri);
    }

    /** Starts a POST request. */
    public static Builder post(String uri) {
        return builder("POST", uri);
    }

    /** Starts a request with any method. */
    public static Builder builder(String method, String uri) {
        return new Builder(method, uri);
    }

    /** The method, upper case. */
    public String method() {
        return method;
    }

    /** The absolute http or https URI. */
    public URI uri() {
        return uri;
    }

    /** A copy of the request body; empty if none. */
    public byte[] body() {
        return body.clone();
    }

    /** The body's content type, or {@code null}. */
    public String contentType() {
        return contentType;
    }

    /** Extra headers as name/value pairs, in order. */
    public List<String[]> headers() {
        List<String[]> copy = new ArrayList<>(headers.size());
        for (String[] h : headers) {
            copy.add(h.clone());
        }
        return copy;
    }

    /** The HTTP proxy, or {@code null} for a direct connection. */
    public InetSocketAddress proxy() {
        return proxy;
    }

    /** The User-Agent, or {@code null} for the broker's. */
    public String userAgent() {
        return userAgent;
    }

    /** The Referer, or {@code null}. */
    public String referrer() {
        return referrer;
    }

    /** The Origin, or {@code null}. */
    public String origin() {
        return origin;
    }

    /** The Cookie header, or {@code null}. */
    public String cookie() {
        return cookie;
    }

    /** The Accept-Encoding asked for ({@code gzip} or {@code identity}); gzip bodies are decoded for the module. */
    public String acceptEncoding() {
        return acceptEncoding;
    }

    /** The Cache-Control, or {@code null}. */
    public String cacheControl() {
        return cacheControl;
    }

    /** The Accept, or {@code null}. */
    public String accept() {
        return accept;
    }

    /** The ETag to revalidate (sent as If-None-Match), or {@code null}. */
    public String etag() {
        return etag;
    }

    /** If-Modified-Since, or {@code null}. */
    public Instant ifModifiedSince() {
        return ifModifiedSince;
    }

    /** How many redirects are followed; 0 returns the redirect itself. */
    public int maxRedirects() {
        return maxRedirects;
    }

    /** Time allowed to connect. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Time allowed from sending the request to receiving the response headers. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** Longest silence allowed between two body chunks. */
    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    /** Time allowed for the whole exchange, retries included. */
    public Duration totalTimeout() {
        return totalTimeout;
    }

    /** How many times a failed attempt (no response, or a 5xx status) is retried. */
    public int retries() {
        return retries;
    }

    /** Whether the body goes only to {@link HttpListener#onBody} and is not collected into the response. */
    public boolean streaming() {
        return streaming;
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }

    /** Builds an {@link HttpRequest}. */
    public static final class Builder {
        private final String method;
        private final URI uri;
        private byte[] body = new byte[0];
        private String contentType;
        private final List<String[]> headers = new ArrayList<>();
        private InetSocketAddress proxy;
        private String userAgent;
        private String referrer;
        private String origin;
        private String cookie;
        private String acceptEncoding;
        private String cacheControl;
        private String accept;
        private String etag;
        private Instant ifModifiedSince;
        private int maxRedirects = 5;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration headerTimeout = Duration.ofSeconds(30);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration totalTimeout = Duration.ofSeconds(60);
        private int retries;
        private boolean streaming;

        private Builder(String method, String uri) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(uri, "uri");
            this.method = method.toUpperCase(Locale.ROOT);
            this.uri = URI.create(uri);
            String scheme = this.uri.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("not an http or https URI: " + uri);
            }
        }

        /** Sets the body and its content type. */
        public Builder body(byte[] body, String contentType) {
            this.body = body == null ? new byte[0] : body.clone();
            this.contentType = contentType;
            return this;
        }

        /** Sets a UTF-8 text body and its content type. */
        public Builder body(String text, String contentType) {
            return body(text.getBytes(StandardCharsets.UTF_8), contentType);
        }

        /** Adds a header. */
        public Builder header(String name, String value) {
            headers.add(new String[] {Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")});
            return this;
        }

        /** Sends the request through an HTTP proxy. */
        public Builder proxy(String host, int port) {
            this.proxy = InetSocketAddress.createUnresolved(host, port);
            return this;
        }

        /** Sets the User-Agent. */
        public Builder userAgent(String userAgent) {
            this.userAgent = userAgent;
            return this;
        }

        /** Sets the Referer. */
        public Builder referrer(String referrer) {
            this.referrer = referrer;
            return this;
        }

        /** Sets the Origin. */
        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        /** Sets the Cookie header. */
        public Builder cookie(String cookie) {
            this.cookie = cookie;
            return this;
        }

        /** Sets Accept-Encoding: {@code gzip} (decoded for the module) or {@code identity}. */
        public Builder acceptEncoding(String encoding) {
            if (!"gzip".equalsIgnoreCase(encoding) && !"identity".equalsIgnoreCase(encoding)) {
                throw new IllegalArgumentException("acceptEncoding must be gzip or identity: " + encoding);
            }
            this.acceptEncoding = encoding.toLowerCase(Locale.ROOT);
            return this;
        }

        /** Sets Cache-Control. */
        public Builder cacheControl(String cacheControl) {
            this.cacheControl = cacheControl;
            return this;
        }

        /** Sets Accept. */
        public Builder accept(String accept) {
            this.accept = accept;
            return this;
        }

        /** Revalidates against an ETag (If-None-Match). */
        public Builder etag(String etag) {
            this.etag = etag;
            return this;
        }

        /** Sets If-Modified-Since. */
        public Builder ifModifiedSince(Instant since) {
            this.ifModifiedSince = since;
            return this;
        }

        /** Sets how many redirects to follow (default 5). */
        public Builder maxRedirects(int maxRedirects) {
            if (maxRedirects < 0) {
                throw new IllegalArgumentException("maxRedirects must be >= 0: " + maxRedirects);
            }
            this.maxRedirects = maxRedirects;
            return this;
        }

        /** Sets the connect timeout (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Sets the time allowed until the response headers (default 30 s). */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = positive(timeout, "headerTimeout");
            return this;
        }

        /** Sets the longest silence between body chunks (default 30 s). */
        public Builder bodyTimeout(Duration timeout) {
            this.bodyTimeout = positive(timeout, "bodyTimeout");
            return this;
        }

        /** Sets the time allowed for the whole exchange, retries included (default 60 s). */
        public Builder totalTimeout(Duration timeout) {
            this.totalTimeout = positive(timeout, "totalTimeout");
            return this;
        }

        /** Sets how many times to retry on no response or a 5xx status (default 0). */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0: " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** Streams the body to the listener only instead of collecting it (default false). */
        public Builder streaming(boolean streaming) {
            this.streaming = streaming;
            return this;
        }

        /** Builds the request. */
        public HttpRequest build() {
            return new HttpRequest(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
