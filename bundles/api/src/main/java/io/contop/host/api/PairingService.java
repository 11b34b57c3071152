package io.contop.host.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Pairs a device end to end: a token from the {@link TokenStore}, and a QR code carrying the token,
 * its DTLS fingerprint, the network paths and the provider credentials registered at that moment.
 * The REST API, the shell commands and the console all pair through this service.
 */
public interface PairingService {

    /**
     * Creates or renews a pairing, as {@link TokenStore#pair} does, and renders its QR code.
     *
     * @return a stage completed with the pairing, or exceptionally with
     *     {@link ProviderNotConfiguredException} when no provider is configured (no token is
     *     created then) or {@link PairingException} when the token or QR code could not be made
     */
    CompletionStage<Pairing> pair(String deviceId, ConnectionType type);

    /**
     * Revokes the token the selection rule picks for {@code deviceId} (null for none), as
     * {@link TokenStore#revoke} does, and clears the last QR code whether or not a token was found.
     */
    Optional<PairingToken> revoke(String deviceId);

    /** Returns the QR code of the last pairing, until any token is revoked, replaced or expires. */
    Optional<QrImage> lastQr();

    /**
     * A pairing and its QR code.
     *
     * @param token the token, which the QR code contains
     * @param qr the rendered QR code
     */
    record Pairing(PairingToken token, QrImage qr) {
        @Override
        public String toString() {
            return "Pairing[" + token + "]";
        }
    }
}
