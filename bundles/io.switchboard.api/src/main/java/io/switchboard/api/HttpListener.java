package io.switchboard.api;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Streaming callbacks of one {@link HostServices#http} exchange, called in order on a broker thread:
 * {@link #onRequestSent} once, {@link #onHeaders} once per response (retries restart it), then
 * {@link #onBody} per chunk, then {@link #onComplete} or {@link #onError}. Every method defaults to doing
 * nothing.
 */
@ConsumerType
public interface HttpListener {

    /** A listener that ignores every callback. */
    HttpListener NONE = new HttpListener() {
    };

    /** The request (and its body, {@code bodyBytes} long) was handed to the network. */
    default void onRequestSent(long bodyBytes) {
    }

    /** The response status line and headers arrived. */
    default void onHeaders(int status, Map<String, List<String>> headers) {
    }

    /**
     * A chunk of the (decoded) response body arrived.
     *
     * @param chunk the bytes, valid only during this call
     * @param received bytes received so far, this chunk included
     * @param total the announced length ({@code Content-Length}), or -1 if unknown
     */
    default void onBody(ByteBuffer chunk, long received, long total) {
    }

    /** The exchange ended with a response. */
    default void onComplete(HttpResponse response) {
    }

    /** The exchange failed after its retries. */
    default void onError(Throwable failure) {
    }
}
