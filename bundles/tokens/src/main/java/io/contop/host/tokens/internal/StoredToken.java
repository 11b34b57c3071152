package io.contop.host.tokens.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceInfo;
import java.time.Instant;

/**
 * One entry of {@code tokens.json} as read from disk, before its certificate is restored.
 *
 * @param extra fields this host does not interpret (such as {@code stun_config}), written back unchanged
 */
record StoredToken(String token, String deviceId, ConnectionType type, Instant createdAt, Instant expiresAt,
        String fingerprint, String certificatePem, String privateKeyPem, DeviceInfo device, ObjectNode extra) {
}
