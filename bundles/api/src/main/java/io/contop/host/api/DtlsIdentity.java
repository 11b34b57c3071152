package io.contop.host.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A self-signed X.509 certificate with its private key, presented by the WebRTC engine in the
 * DTLS handshake of every session authenticated with the token that owns it.
 *
 * <p>Instances are immutable. {@link #toString()} never includes the private key.
 */
public final class DtlsIdentity {
    private final String certificatePem;
    private final String privateKeyPem;
    private final String fingerprintSha256;
    private final Instant notAfter;

    /**
     * @param certificatePem the certificate, PEM encoded
     * @param privateKeyPem the private key, PKCS#8 PEM encoded
     * @param fingerprintSha256 the SHA-256 digest of the DER certificate as upper-case hex pairs
     *     joined by colons ({@code AB:CD:...})
     * @param notAfter the end of the certificate's validity
     */
    public DtlsIdentity(String certificatePem, String privateKeyPem, String fingerprintSha256, Instant notAfter) {
        this.certificatePem = Objects.requireNonNull(certificatePem, "certificatePem");
        this.privateKeyPem = Objects.requireNonNull(privateKeyPem, "privateKeyPem");
        this.fingerprintSha256 = Objects.requireNonNull(fingerprintSha256, "fingerprintSha256");
        this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
    }

    public String certificatePem() {
        return certificatePem;
    }

    /** Returns the private key in PKCS#8 PEM form. Never log or send it. */
    public String privateKeyPem() {
        return privateKeyPem;
    }

    /** Returns the fingerprint with colons, as in an SDP {@code a=fingerprint:sha-256} line. */
    public String fingerprintSha256() {
        return fingerprintSha256;
    }

    /** Returns the fingerprint without colons, as the QR payload's {@code d} carries it. */
    public String compactFingerprint() {
        return fingerprintSha256.replace(":", "");
    }

    public Instant notAfter() {
        return notAfter;
    }

    @Override
    public String toString() {
        return "DtlsIdentity[sha-256 " + fingerprintSha256 + ", notAfter " + notAfter + "]";
    }
}
