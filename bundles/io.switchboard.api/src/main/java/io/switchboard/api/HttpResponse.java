package io.switchboard.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The outcome of an HTTP exchange.
 *
 * @param status the HTTP status code
 * @param headers the response headers (names in lower case)
 * @param body the body; empty for {@link HttpRequest.Builder#streaming streaming} requests
 * @param attempts how many attempts were made (1 without retries)
 */
public record HttpResponse(int status, Map<String, List<String>> headers, byte[] body, int attempts) {

    /** Copies the headers; an absent body is empty. */
    public HttpResponse {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
