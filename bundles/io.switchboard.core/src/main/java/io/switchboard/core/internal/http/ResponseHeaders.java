package io.switchboard.core.internal.http;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What an {@link Exchange} reads from a response's headers (names in lower case). */
final class ResponseHeaders {

    private ResponseHeaders() {
    }

    /** The headers by lower-case name, without HTTP/2 pseudo headers. */
    static Map<String, List<String>> lowerCase(HttpHeaders headers) {
        Map<String, List<String>> map = new TreeMap<>();
        headers.map().forEach((name, values) -> {
            if (!name.startsWith(":")) { // HTTP/2 pseudo headers
                map.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values);
            }
        });
        map.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(map);
    }

    static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    static boolean isGzip(Map<String, List<String>> headers) {
        List<String> values = headers.get("content-encoding");
        if (values == null || values.size() != 1) {
            return false;
        }
        String coding = values.get(0).trim();
        return coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip");
    }

    static long contentLength(Map<String, List<String>> headers) {
        String value = first(headers, "content-length");
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.trim());
            return length >= 0 ? length : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
