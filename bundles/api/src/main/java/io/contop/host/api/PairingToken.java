package io.contop.host.api;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A pairing token with its DTLS identity and what is known of the device that uses it.
 *
 * <p>Instances are immutable; the {@code with...} methods return modified copies. Times are UTC
 * instants. {@link #toString()} shows only the first 8 characters of the token.
 */
public final class PairingToken {
    /** Number of token characters that may appear in logs and messages. */
    public static final int LOGGABLE_PREFIX_LENGTH = 8;

    private final String token;
    private final String deviceId;
    private final ConnectionType connectionType;
    private final Instant createdAt;
    private final Instant expiresAt;
    private final DtlsIdentity identity;
    private final DeviceInfo device;

    public PairingToken(String token, String deviceId, ConnectionType connectionType, Instant createdAt,
            Instant expiresAt, DtlsIdentity identity, DeviceInfo device) {
        this.token = Objects.requireNonNull(token, "token");
        this.deviceId = deviceId;
        this.connectionType = Objects.requireNonNull(connectionType, "connectionType");
        this.createdAt = Objects.requireNonNull(createdAt, "createdAt");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.device = device == null ? DeviceInfo.EMPTY : device;
    }

    /** Returns the secret token string. Never log it; use {@link #prefix()} instead. */
    public String token() {
        return token;
    }

    /** Returns the first 8 characters of the token, safe for logs. */
    public String prefix() {
        return token.length() <= LOGGABLE_PREFIX_LENGTH ? token : token.substring(0, LOGGABLE_PREFIX_LENGTH);
    }

    /** Returns the device id given at pairing, or null when the pairing named no device. */
    public String deviceId() {
        return deviceId;
    }

    public ConnectionType connectionType() {
        return connectionType;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    /** Returns true when {@code now} is at or past the expiry. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public DtlsIdentity identity() {
        return identity;
    }

    public DeviceInfo device() {
        return device;
    }

    /** Returns the reported device name, or {@code Device-} and the token's first 6 characters in upper case. */
    public String displayName() {
        if (device.name() != null && !device.name().isBlank()) {
            return device.name();
        }
        return "Device-" + token.substring(0, Math.min(6, token.length())).toUpperCase(Locale.ROOT);
    }

    public PairingToken withDevice(DeviceInfo newDevice) {
        return new PairingToken(token, deviceId, connectionType, createdAt, expiresAt, identity, newDevice);
    }

    @Override
    public String toString() {
        return "PairingToken[" + prefix() + "..., " + connectionType.wireName() + ", device " + deviceId
                + ", expires " + expiresAt + "]";
    }
}
