package io.switchboard.console.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Reading and answering the console's JSON requests, and the rule that keeps other sites from changing anything:
 * a request that changes state must be a {@code POST} with {@code Content-Type: application/json} and the header
 * {@value #HEADER}{@code : 1}. A cross-site form cannot set either; a cross-site script setting them needs a CORS
 * preflight, which the console never grants.
 */
final class Requests {

    /** The header every state-changing request carries. */
    static final String HEADER = "X-Switchboard-Console";
    /** The largest request body read. */
    static final int MAX_BODY = 64 * 1024;

    private final ObjectMapper json = new ObjectMapper();

    /** Whether {@code request} carries the console's header and a JSON body (see the class comment). */
    static boolean fromConsole(String header, String contentType) {
        return "1".equals(header) && contentType != null
                && contentType.toLowerCase(Locale.ROOT).trim().startsWith("application/json");
    }

    /**
     * The JSON object of {@code request}'s body, or {@code null} after answering 403 (not from the console) or 400
     * (not a JSON object, or too big).
     */
    Map<String, Object> body(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!fromConsole(request.getHeader(HEADER), request.getContentType())) {
            error(response, HttpServletResponse.SC_FORBIDDEN, "state-changing requests need Content-Type: application/json "
                    + "and the header " + HEADER + ": 1");
            return null;
        }
        byte[] bytes = read(request.getInputStream());
        if (bytes == null) {
            error(response, HttpServletResponse.SC_BAD_REQUEST, "the request body is larger than " + MAX_BODY + " bytes");
            return null;
        }
        try {
            Object parsed = json.readValue(bytes, Object.class);
            if (parsed instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) map;
                return object;
            }
        } catch (JsonProcessingException e) {
            // answered below
        }
        error(response, HttpServletResponse.SC_BAD_REQUEST, "the request body must be a JSON object");
        return null;
    }

    private static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            out.write(buffer, 0, n);
            if (out.size() > MAX_BODY) {
                return null;
            }
        }
        return out.toByteArray();
    }

    /** A string member of a request body; {@code ""} when absent. */
    static String text(Map<String, Object> body, String name) {
        Object value = body.get(name);
        return value == null ? "" : String.valueOf(value);
    }

    void ok(HttpServletResponse response, Object value) throws IOException {
        write(response, HttpServletResponse.SC_OK, value);
    }

    void error(HttpServletResponse response, int status, String message) throws IOException {
        write(response, status, Map.of("error", message == null ? "failed" : message));
    }

    String encode(Object value) throws JsonProcessingException {
        return json.writeValueAsString(value);
    }

    private void write(HttpServletResponse response, int status, Object value) throws IOException {
        byte[] body = (encode(value) + "\n").getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
