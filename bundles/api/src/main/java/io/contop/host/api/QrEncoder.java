package io.contop.host.api;

/** Turns a pairing payload into compact JSON and a QR code image. Implementations are thread-safe. */
public interface QrEncoder {

    /**
     * Encodes the payload as compact JSON (no whitespace) in a QR code with error correction
     * level L.
     *
     * @throws IllegalArgumentException when the payload does not fit in a QR code
     */
    QrImage encode(QrPayload payload);
}
