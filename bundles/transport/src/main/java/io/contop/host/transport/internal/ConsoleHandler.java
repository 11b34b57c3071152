package io.contop.host.transport.internal;

import io.contop.host.api.ConsoleResources;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the local console's files under {@code /console/} from the {@link ConsoleResources}
 * service registered now. {@link LocalRequestGuard} runs first, so only loopback clients of the
 * public listener get here.
 */
final class ConsoleHandler extends Handler.Abstract {
    static final String PREFIX = "/console/";

    /**
     * Lets the page load its own script, style sheet and QR images (blob URLs) and call the REST
     * API of the same origin, and nothing else: no inline script, no other site, no framing.
     */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Supplier<ConsoleResources> resources;

    ConsoleHandler(Supplier<ConsoleResources> resources) {
        super(InvocationType.NON_BLOCKING);
        this.resources = resources;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.equals("/console")) {
            response.setStatus(301);
            response.getHeaders().put(HttpHeader.LOCATION, PREFIX);
            callback.succeeded();
            return true;
        }
        if (!path.startsWith(PREFIX)) {
            return false;
        }
        if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            JsonResponses.error(response, callback, 405, "method_not_allowed", "Allowed methods: GET, HEAD");
            return true;
        }

        ConsoleResources current = resources.get();
        Optional<ConsoleResources.Resource> resource = current == null ? Optional.empty()
                : current.resource(path.substring(PREFIX.length()));
        if (resource.isEmpty()) {
            boolean available = current != null && current.resource("").isPresent();
            JsonResponses.error(response, callback, 404, "not_found", available
                    ? "No such console file: " + path : "The console is not installed or is disabled");
            return true;
        }

        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, resource.get().contentType());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("X-Frame-Options", "DENY");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.write(true, ByteBuffer.wrap(resource.get().content()), callback);
        return true;
    }
}
