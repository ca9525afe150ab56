package io.switchboard.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * The console's page at {@code /} and its script and style under {@code /console/}, from the bundle's
 * {@code console/} folder; any other path not served by another servlet is 404. The page may load only its own
 * script and style and may not be framed (Content-Security-Policy).
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern({"/", "/console/*"})
@HttpWhiteboardServletName("switchboard-console-page")
public final class PageServlet extends HttpServlet {

    /** Request path to bundle resource and content type. */
    static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"/console/index.html", "text/html"},
            "/index.html", new String[] {"/console/index.html", "text/html"},
            "/console/console.js", new String[] {"/console/console.js", "text/javascript"},
            "/console/console.css", new String[] {"/console/console.css", "text/css"});
    static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    private static final long serialVersionUID = 1L;

    private final transient Map<String, byte[]> cache = new ConcurrentHashMap<>();

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String[] file = FILES.get(path.isEmpty() ? "/" : path);
        if (file == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        byte[] body = cache.computeIfAbsent(file[0], PageServlet::read);
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(file[1]);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Content-Security-Policy", POLICY);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static byte[] read(String resource) {
        try (InputStream in = PageServlet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the console bundle lacks " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
