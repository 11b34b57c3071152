package io.contop.host.api;

import java.util.concurrent.CompletionStage;

/** Issues and restores the DTLS certificates that pairing tokens own. Implementations are thread-safe. */
public interface DtlsIdentityProvider {

    /**
     * Issues a new RSA-2048 self-signed certificate. Key generation runs on a thread of the
     * provider, never on the caller's. Each returned identity is handed out once only.
     *
     * @return a stage completed with the identity, or exceptionally when generation failed
     */
    CompletionStage<DtlsIdentity> issue();

    /**
     * Rebuilds an identity from stored PEM text and recomputes its fingerprint.
     *
     * @throws IllegalArgumentException when either PEM text is not a certificate or private key
     *     or the two do not belong together; the message never contains key material
     */
    DtlsIdentity restore(String certificatePem, String privateKeyPem);
}
