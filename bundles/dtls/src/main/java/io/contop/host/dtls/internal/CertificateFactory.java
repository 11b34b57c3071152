package io.contop.host.dtls.internal;

import io.contop.host.api.DtlsIdentity;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Creates RSA-2048 self-signed certificates and converts them to and from PEM text. */
final class CertificateFactory {
    static final int KEY_SIZE = 2048;
    private static final X500Name SUBJECT = new X500Name("CN=contop-host");
    private static final Duration BACKDATE = Duration.ofHours(1);

    private final SecureRandom random = new SecureRandom();
    private final Duration validity;

    /** @param validity how long a new certificate stays valid; longer than the longest token lifetime */
    CertificateFactory(Duration validity) {
        this.validity = validity;
    }

    DtlsIdentity create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_SIZE, random);
            KeyPair keys = generator.generateKeyPair();

            Instant now = Instant.now();
            Instant notAfter = now.plus(validity);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(SUBJECT,
                    new BigInteger(63, random).add(BigInteger.ONE), Date.from(now.minus(BACKDATE)),
                    Date.from(notAfter), SUBJECT, keys.getPublic());
            X509CertificateHolder holder = builder.build(
                    new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);

            return new DtlsIdentity(toPem(certificate), toPem(keys.getPrivate()), fingerprint(certificate),
                    certificate.getNotAfter().toInstant());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("RSA-2048 certificate generation failed: " + e.getMessage(), e);
        }
    }

    DtlsIdentity restore(String certificatePem, String privateKeyPem) {
        X509Certificate certificate = parseCertificate(certificatePem);
        PrivateKey key = parsePrivateKey(privateKeyPem);
        if (!(certificate.getPublicKey() instanceof RSAPublicKey publicKey)
                || !(key instanceof RSAPrivateCrtKey privateKey)
                || !publicKey.getModulus().equals(privateKey.getModulus())) {
            throw new IllegalArgumentException("the stored private key does not belong to the stored certificate");
        }
        return new DtlsIdentity(certificatePem, privateKeyPem, fingerprint(certificate),
                certificate.getNotAfter().toInstant());
    }

    /** Returns the SHA-256 digest of the DER certificate as upper-case hex pairs joined by colons. */
    static String fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static X509Certificate parseCertificate(String pem) {
        Object parsed = readPem(pem, "certificate");
        if (!(parsed instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException("the stored certificate is not a PEM X.509 certificate");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the stored certificate cannot be decoded", e);
        }
    }

    private static PrivateKey parsePrivateKey(String pem) {
        Object parsed = readPem(pem, "private key");
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            // The cause is dropped on purpose: it may quote key material.
            throw new IllegalArgumentException("the stored private key cannot be decoded");
        }
        throw new IllegalArgumentException("the stored private key is not a PEM private key");
    }

    private static Object readPem(String pem, String what) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("the stored " + what + " is missing");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the stored " + what + " is not valid PEM");
        }
    }

    private static String toPem(Object value) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            if (value instanceof PrivateKey key) {
                writer.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                writer.writeObject(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PEM encoding failed", e);
        }
        return text.toString();
    }
}
