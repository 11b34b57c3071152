package io.contop.host.transport.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingService;
import io.contop.host.api.ProviderNotConfiguredException;
import io.contop.host.api.QrTerminalText;
import io.contop.host.api.Timestamps;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/pair/modules}: pairs like {@code POST /api/pair}, with the same query
 * parameters and errors, and returns the QR code's module matrix as text instead of a PNG, so that
 * {@code contop-host pair} can draw it in a terminal without decoding an image. The body has one
 * line per module row, {@code 1} for dark and {@code 0} for light, without quiet zone (see
 * {@link QrTerminalText#moduleRows}); the headers {@code x-pairing-expires-at},
 * {@code x-pairing-connection-type} and {@code x-qr-version} describe it. The token is only inside
 * the code. {@link LocalRequestGuard} runs first, so only local clients get here.
 */
final class QrModulesEndpoint extends Handler.Abstract {
    static final String PATH = "/api/pair/modules";
    private static final Logger LOG = LoggerFactory.getLogger(QrModulesEndpoint.class);

    private final HostServices services;

    QrModulesEndpoint(HostServices services) {
        super(InvocationType.NON_BLOCKING);
        this.services = services;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!PATH.equals(Request.getPathInContext(request))) {
            return false;
        }
        if (!HttpMethod.POST.is(request.getMethod())) {
            response.getHeaders().put(HttpHeader.ALLOW, "POST");
            JsonResponses.error(response, callback, 405, "method_not_allowed", "Allowed methods: POST");
            return true;
        }

        Fields query = QueryParameters.parse(request).orElse(null);
        if (query == null) {
            JsonResponses.error(response, callback, 400, "invalid_query",
                    "The query string is invalid: use UTF-8, with % followed by two hex digits");
            return true;
        }
        String rawDeviceId = query.getValue("device_id");
        String deviceId = DeviceIds.normalize(rawDeviceId);
        if (rawDeviceId != null && !rawDeviceId.isEmpty() && deviceId == null) {
            JsonResponses.error(response, callback, 400, "invalid_device_id",
                    "device_id must be 1 to " + DeviceIds.MAX_LENGTH + " characters without control characters");
            return true;
        }
        String typeValue = query.getValue("connection_type");
        Optional<ConnectionType> type = typeValue == null ? Optional.of(ConnectionType.PERMANENT)
                : ConnectionType.fromWireName(typeValue);
        if (type.isEmpty()) {
            JsonResponses.error(response, callback, 400, "invalid_connection_type",
                    "connection_type must be permanent or temp");
            return true;
        }

        PairingService pairing = services.pairing().get();
        if (pairing == null) {
            JsonResponses.error(response, callback, 503, "starting", "The host is starting; try again in a moment");
            return true;
        }
        pairing.pair(deviceId, type.get()).whenComplete((result, error) -> {
            if (error == null) {
                send(result, response, callback);
            } else {
                fail(error, deviceId, response, callback);
            }
        });
        return true;
    }

    private static void send(PairingService.Pairing result, Response response, Callback callback) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("x-pairing-expires-at", Timestamps.format(result.token().expiresAt()));
        response.getHeaders().put("x-pairing-connection-type", result.token().connectionType().wireName());
        response.getHeaders().put("x-qr-version", Integer.toString(result.qr().version()));
        response.write(true, JsonResponses.utf8(QrTerminalText.moduleRows(result.qr().modules())), callback);
    }

    private static void fail(Throwable error, String deviceId, Response response, Callback callback) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProviderNotConfiguredException) {
            JsonResponses.error(response, callback, 500, "configuration_error", cause.getMessage());
            return;
        }
        LOG.error("Pairing failed for device {}: {}", deviceId,
                cause instanceof PairingException ? cause.getMessage() : cause.toString());
        JsonResponses.error(response, callback, 500, "pairing_failed", "Failed to generate pairing token");
    }
}
