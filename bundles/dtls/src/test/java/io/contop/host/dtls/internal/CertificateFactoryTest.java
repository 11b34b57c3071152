package io.contop.host.dtls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.DtlsIdentity;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CertificateFactoryTest {
    private final io.contop.host.dtls.internal.CertificateFactory factory =
            new io.contop.host.dtls.internal.CertificateFactory(Duration.ofDays(90));

    @Test
    void createdCertificateIsRsa2048SelfSigned() throws Exception {
        DtlsIdentity identity = factory.create();
        X509Certificate certificate = parse(identity.certificatePem());

        assertEquals(2048, ((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength());
        assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertTrue(identity.privateKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void fingerprintIsSha256OfDerWithColons() throws Exception {
        DtlsIdentity identity = factory.create();
        byte[] der = parse(identity.certificatePem()).getEncoded();
        String expected = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(der));

        assertEquals(expected, identity.fingerprintSha256());
        assertTrue(identity.fingerprintSha256().matches("([0-9A-F]{2}:){31}[0-9A-F]{2}"));
        assertTrue(identity.compactFingerprint().matches("[0-9A-F]{64}"));
    }

    @Test
    void validityCoversPermanentToken() {
        DtlsIdentity identity = factory.create();
        assertTrue(identity.notAfter().isAfter(Instant.now().plus(Duration.ofDays(89))));
    }

    @Test
    void restoreKeepsFingerprint() {
        DtlsIdentity identity = factory.create();
        DtlsIdentity restored = factory.restore(identity.certificatePem(), identity.privateKeyPem());
        assertEquals(identity.fingerprintSha256(), restored.fingerprintSha256());
    }

    @Test
    void restoreRejectsMismatchedKey() {
        DtlsIdentity first = factory.create();
        DtlsIdentity second = factory.create();
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> factory.restore(first.certificatePem(), second.privateKeyPem()));
        assertFalse(error.getMessage().contains("PRIVATE KEY"));
    }

    @Test
    void restoreRejectsGarbage() {
        assertThrows(IllegalArgumentException.class, () -> factory.restore("not pem", "not pem"));
        assertThrows(IllegalArgumentException.class, () -> factory.restore(null, null));
    }

    @Test
    void twoCertificatesDiffer() {
        assertNotEquals(factory.create().fingerprintSha256(), factory.create().fingerprintSha256());
    }

    @Test
    void toStringHidesPrivateKey() {
        DtlsIdentity identity = factory.create();
        assertFalse(identity.toString().contains("PRIVATE"));
    }

    private static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
