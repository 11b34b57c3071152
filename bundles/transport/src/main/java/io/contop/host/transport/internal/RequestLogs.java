package io.contop.host.transport.internal;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional HTTP request log: one INFO line per request with the client address, method,
 * path, protocol, status, bytes sent and milliseconds. It never records a query string, because
 * the signaling URL carries the pairing token as {@code ?token=...}, nor a header. A path is
 * recorded only when it is one the host serves. Any other path is replaced by its length, because
 * a client may put a token in it.
 */
final class RequestLogs {
    /** The SLF4J logger that receives the lines. */
    static final String LOGGER = "io.contop.host.transport.requests";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final Set<String> KNOWN_PATHS = Set.of("/", "/health", "/ws/signaling", "/api/pair",
            "/api/pair/status", "/api/pair/modules", "/api/qr-image", "/api/devices", "/api/connection-info",
            "/api/tunnel/start", "/console", "/console/");

    private RequestLogs() {
    }

    static RequestLog withoutQuery() {
        return RequestLogs::log;
    }

    private static void log(Request request, Response response) {
        String path = Request.getPathInContext(request);
        int status = response.getStatus();
        String loggedPath = KNOWN_PATHS.contains(path) || status < 400 ? path
                : "(unknown path of " + path.length() + " characters)";
        LOG.info("{} \"{} {} {}\" {} {} {} ms", Request.getRemoteAddr(request), request.getMethod(), loggedPath,
                request.getConnectionMetaData().getProtocol(), status, Response.getContentBytesWritten(response),
                TimeUnit.NANOSECONDS.toMillis(NanoTime.since(request.getBeginNanoTime())));
    }
}
