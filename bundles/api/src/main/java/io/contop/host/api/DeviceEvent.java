package io.contop.host.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of the device events that {@code GET /api/devices} lists.
 *
 * @param type one of the {@code TYPE_} constants
 * @param deviceId the device's id, or null when the pairing named none
 * @param deviceName the device's display name
 * @param timestamp when the event happened (UTC)
 * @param details free text for the user, or null; never contains a token
 */
public record DeviceEvent(String type, String deviceId, String deviceName, Instant timestamp, String details) {
    public static final String TYPE_CONNECTED = "connected";
    public static final String TYPE_DISCONNECTED = "disconnected";
    public static final String TYPE_TOKEN_REPLACED = "token_replaced";
    public static final String TYPE_REVOKED = "revoked";
    public static final String TYPE_EXPIRED = "expired";

    public DeviceEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
    }
}
