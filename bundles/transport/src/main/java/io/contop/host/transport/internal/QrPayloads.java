package io.contop.host.transport.internal;

import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingToken;
import io.contop.host.api.ProviderCredential;
import io.contop.host.api.QrPayload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the QR payload of a token: {@code t d h p e c}, the provider keys {@code g o a r}, the
 * subscription flags {@code pa}, then the key of every other network path that has an address.
 */
final class QrPayloads {
    /** Keys the payload fills itself; a network path may not claim them. */
    private static final Set<String> RESERVED_KEYS = Set.of("t", "d", "p", "e", "c", "g", "o", "a", "r", "pa");

    private QrPayloads() {
    }

    static QrPayload build(PairingToken token, int port, List<NetworkPath> registered,
            List<ProviderCredential> credentials, String expiresAt) {
        List<PathReadings.Reading> paths = PathReadings.read(registered, token.connectionType());
        String lanAddress = addressOf(paths, "h");
        QrPayload.Builder payload = QrPayload.builder()
                .put("t", token.token())
                .put("d", token.identity().compactFingerprint())
                .put("h", lanAddress == null ? "" : lanAddress)
                .put("p", port)
                .put("e", expiresAt)
                .put("c", token.connectionType().wireName());

        Map<String, String> subscriptions = new LinkedHashMap<>();
        for (ProviderCredential credential : credentials) {
            if (credential.subscription()) {
                subscriptions.put(credential.provider().qrKey(), "sub");
            } else {
                payload.put(credential.provider().qrKey(), credential.apiKey());
            }
        }
        if (!subscriptions.isEmpty()) {
            payload.put("pa", subscriptions);
        }

        for (PathReadings.Reading path : paths) {
            String key = path.qrKey();
            if (!"h".equals(key) && !RESERVED_KEYS.contains(key) && path.applies()) {
                payload.put(key, path.address());
            }
        }
        return payload.build();
    }

    private static String addressOf(List<PathReadings.Reading> paths, String key) {
        for (PathReadings.Reading path : paths) {
            if (key.equals(path.qrKey()) && path.applies() && path.address() != null) {
                return path.address();
            }
        }
        return null;
    }
}
