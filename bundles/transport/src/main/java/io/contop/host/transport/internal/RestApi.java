package io.contop.host.transport.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.PairingService;
import io.contop.host.api.ProviderNotConfiguredException;
import io.contop.host.api.QrImage;
import io.contop.host.api.Timestamps;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/}, for the desktop UI on the same machine. Requests from any
 * address other than loopback, and any request through the tunnel listener, get 403.
 */
final class RestApi extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(RestApi.class);

    private final HostServices services;

    RestApi(HostServices services) {
        super(InvocationType.NON_BLOCKING);
        this.services = services;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.startsWith("/api/")) {
            return false;
        }
        if (!HttpTransport.isLoopbackRequest(request)) {
            JsonResponses.error(response, callback, 403, "forbidden",
                    "The REST API answers only to clients on this machine");
            return true;
        }

        Fields query = QueryParameters.parse(request).orElse(null);
        if (query == null) {
            JsonResponses.error(response, callback, 400, "invalid_query",
                    "The query string is invalid: use UTF-8, with % followed by two hex digits");
            return true;
        }
        String method = request.getMethod();
        String rawDeviceId = query.getValue("device_id");
        if (rawDeviceId != null && !rawDeviceId.isEmpty() && DeviceIds.normalize(rawDeviceId) == null) {
            JsonResponses.error(response, callback, 400, "invalid_device_id",
                    "device_id must be 1 to " + DeviceIds.MAX_LENGTH + " characters without control characters");
            return true;
        }
        try {
            switch (path) {
                case "/api/pair" -> {
                    if (HttpMethod.POST.is(method)) {
                        pair(query, response, callback);
                    } else if (HttpMethod.DELETE.is(method)) {
                        revoke(query, response, callback);
                    } else {
                        methodNotAllowed(response, callback, "POST, DELETE");
                    }
                }
                case "/api/pair/status" -> onlyGet(method, response, callback, () -> status(query, response, callback));
                case "/api/qr-image" -> onlyGet(method, response, callback, () -> qrImage(response, callback));
                case "/api/devices" -> onlyGet(method, response, callback, () -> devices(query, response, callback));
                case "/api/connection-info" -> onlyGet(method, response, callback, () -> connectionInfo(response, callback));
                case "/api/tunnel/start" -> {
                    if (HttpMethod.POST.is(method)) {
                        TunnelStart.handle(services.tunnel().get(), response, callback);
                    } else {
                        methodNotAllowed(response, callback, "POST");
                    }
                }
                default -> JsonResponses.error(response, callback, 404, "not_found", "No such endpoint: " + path);
            }
        } catch (RuntimeException e) {
            LOG.error("Request {} {} failed", method, path, e);
            JsonResponses.error(response, callback, 500, "internal_error", "The request failed; see the host's log");
        }
        return true;
    }

    private static void onlyGet(String method, Response response, Callback callback, Runnable action) {
        if (HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method)) {
            action.run();
        } else {
            methodNotAllowed(response, callback, "GET");
        }
    }

    private static void methodNotAllowed(Response response, Callback callback, String allowed) {
        response.getHeaders().put("Allow", allowed);
        JsonResponses.error(response, callback, 405, "method_not_allowed", "Allowed methods: " + allowed);
    }

    private void pair(Fields query, Response response, Callback callback) {
        String typeValue = query.getValue("connection_type");
        Optional<ConnectionType> type = typeValue == null ? Optional.of(ConnectionType.PERMANENT)
                : ConnectionType.fromWireName(typeValue);
        if (type.isEmpty()) {
            JsonResponses.error(response, callback, 400, "invalid_connection_type",
                    "connection_type must be permanent or temp");
            return;
        }
        PairingService pairing = services.pairing().get();
        if (pairing == null) {
            JsonResponses.error(response, callback, 503, "starting", "The host is starting; try again in a moment");
            return;
        }
        String deviceId = DeviceIds.normalize(query.getValue("device_id"));
        pairing.pair(deviceId, type.get()).whenComplete((result, error) -> {
            if (error == null) {
                sendQr(result, response, callback);
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof ProviderNotConfiguredException) {
                JsonResponses.error(response, callback, 500, "configuration_error", cause.getMessage());
                return;
            }
            LOG.error("Pairing failed for device {}: {}", deviceId,
                    cause instanceof PairingException ? cause.getMessage() : cause.toString());
            JsonResponses.error(response, callback, 500, "pairing_failed", "Failed to generate pairing token");
        });
    }

    private static void sendQr(PairingService.Pairing result, Response response, Callback callback) {
        response.getHeaders().put("x-pairing-token", result.token().token());
        response.getHeaders().put("x-pairing-expires-at", Timestamps.format(result.token().expiresAt()));
        JsonResponses.png(response, callback, result.qr().png());
    }

    private void revoke(Fields query, Response response, Callback callback) {
        PairingService pairing = services.pairing().get();
        String deviceId = DeviceIds.normalize(query.getValue("device_id"));
        Optional<PairingToken> revoked = pairing != null ? pairing.revoke(deviceId) : services.tokens().revoke(deviceId);
        ObjectNode body = JsonResponses.object();
        if (revoked.isPresent()) {
            body.put("revoked", true);
        } else {
            body.put("revoked", false);
            body.put("message", "No active token to revoke");
        }
        JsonResponses.send(response, callback, 200, body);
    }

    private void status(Fields query, Response response, Callback callback) {
        Optional<PairingToken> selected = services.tokens().select(DeviceIds.normalize(query.getValue("device_id")));
        ObjectNode body = JsonResponses.object();
        if (selected.isEmpty()) {
            body.put("status", "none");
        } else {
            PairingToken token = selected.get();
            body.put("status", "active");
            body.put("expires_at", Timestamps.format(token.expiresAt()));
            body.put("device_id", token.deviceId());
            body.put("connection_type", token.connectionType().wireName());
        }
        JsonResponses.send(response, callback, 200, body);
    }

    private void qrImage(Response response, Callback callback) {
        PairingService pairing = services.pairing().get();
        byte[] png = pairing == null ? null : pairing.lastQr().map(QrImage::png).orElse(null);
        if (png == null) {
            JsonResponses.error(response, callback, 404, "no_active_qr",
                    "No QR code is active; create one with POST /api/pair");
            return;
        }
        JsonResponses.png(response, callback, png);
    }

    private void devices(Fields query, Response response, Callback callback) {
        Instant since = parseSince(query.getValue("since"));
        ObjectNode body = JsonResponses.object();
        ArrayNode devices = body.putArray("devices");
        for (PairingToken token : services.tokens().tokens()) {
            ObjectNode device = devices.addObject();
            device.put("device_id", token.deviceId());
            device.put("device_name", token.displayName());
            device.put("connection_type", token.connectionType().wireName());
            device.put("connected", isConnected(token));
            device.put("connection_path", token.device().connectionPath());
            device.put("last_location", token.device().lastLocation());
            device.put("last_seen", token.device().lastSeen() == null ? null
                    : Timestamps.format(token.device().lastSeen()));
            device.put("paired_at", Timestamps.format(token.createdAt()));
            device.put("expires_at", Timestamps.format(token.expiresAt()));
        }
        ArrayNode events = body.putArray("events");
        for (DeviceEvent event : services.tokens().events(since)) {
            ObjectNode entry = events.addObject();
            entry.put("type", event.type());
            entry.put("device_id", event.deviceId());
            entry.put("device_name", event.deviceName());
            entry.put("timestamp", Timestamps.format(event.timestamp()));
            if (event.details() != null) {
                entry.put("details", event.details());
            }
        }
        JsonResponses.send(response, callback, 200, body);
    }

    private boolean isConnected(PairingToken token) {
        for (PeerSession session : services.engine().sessions()) {
            if (session.token().token().equals(token.token()) && session.isConnected()) {
                return true;
            }
        }
        return false;
    }

    /** Returns null (all events) for a missing or unparseable value, as the wire contract specifies. */
    private static Instant parseSince(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Timestamps.parse(value.replace(' ', '+'));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private void connectionInfo(Response response, Callback callback) {
        List<PathReadings.Reading> paths = PathReadings.read(services.paths().get(), null);
        Optional<PairingToken> selected = services.tokens().select(null);
        ObjectNode body = JsonResponses.object();
        body.put("lan_ip", address(paths, "lan"));
        String tailscale = address(paths, "tailscale");
        body.put("tailscale_ip", tailscale);
        body.put("tailscale_available", tailscale != null);
        // The public https URL, as POST /api/tunnel/start returns it; the QR carries the wss:// form.
        io.contop.host.api.TunnelControl tunnelControl = services.tunnel().get();
        String tunnel = tunnelControl == null ? null : tunnelControl.url().orElse(null);
        body.put("tunnel_url", tunnel);
        body.put("tunnel_active", tunnel != null);
        List<PeerSession> sessions = services.engine().sessions();
        body.put("connected_clients", sessions.stream().filter(PeerSession::isConnected).count());
        // Added field: every session with a peer connection, connected or still negotiating.
        body.put("open_sessions", sessions.size());
        body.put("has_active_token", selected.isPresent());
        body.put("token_expires_at", selected.map(token -> Timestamps.format(token.expiresAt())).orElse(null));
        body.put("token_connection_type", selected.map(token -> token.connectionType().wireName()).orElse(null));
        body.put("server_port", services.port().getAsInt());
        ObjectNode all = body.putObject("network_paths");
        for (PathReadings.Reading path : paths) {
            all.put(path.id(), path.address());
        }
        JsonResponses.send(response, callback, 200, body);
    }

    private static String address(List<PathReadings.Reading> paths, String id) {
        for (PathReadings.Reading path : paths) {
            if (id.equals(path.id())) {
                return path.address();
            }
        }
        return null;
    }
}
