package io.contop.host.transport.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.TunnelControl;
import io.contop.host.api.TunnelUnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/tunnel/start}: 200 {@code {"tunnel_url":...,"already_running":bool}} once the
 * tunnel is up, or 503 {@code {"error":"tunnel_unavailable","message":<reason>}}. The response is
 * sent when the tunnel's start completes, without holding a request thread.
 */
final class TunnelStart {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelStart.class);

    private TunnelStart() {
    }

    /** Starts the tunnel through {@code tunnel} (null when no tunnel bundle is active) and sends the response. */
    static void handle(TunnelControl tunnel, Response response, Callback callback) {
        if (tunnel == null) {
            JsonResponses.error(response, callback, 503, "tunnel_unavailable", "No tunnel provider is installed");
            return;
        }
        boolean alreadyRunning = tunnel.url().isPresent();
        CompletionStage<String> started;
        try {
            started = tunnel.start();
        } catch (RuntimeException e) {
            sendFailure(e, response, callback);
            return;
        }
        started.whenComplete((url, error) -> {
            if (error != null) {
                sendFailure(error, response, callback);
                return;
            }
            ObjectNode body = JsonResponses.object();
            body.put("tunnel_url", url);
            body.put("already_running", alreadyRunning);
            JsonResponses.send(response, callback, 200, body);
        });
    }

    private static void sendFailure(Throwable error, Response response, Callback callback) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TunnelUnavailableException) {
            JsonResponses.error(response, callback, 503, "tunnel_unavailable", cause.getMessage());
            return;
        }
        LOG.error("Starting the tunnel failed", cause);
        JsonResponses.error(response, callback, 503, "tunnel_unavailable", "The tunnel failed to start; see the host's log");
    }
}
