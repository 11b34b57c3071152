package io.contop.host.itests.phone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DtlsFingerprintsTest {

    private static final String COLONS = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    @Test
    void sha256LinesFoundAtEveryLevel() {
        String sdp = "v=0\r\n"
                + "a=fingerprint:sha-256 " + COLONS + "\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "a=fingerprint:sha-1 00:11\r\n"
                + "a=FINGERPRINT:SHA-256 " + COLONS.toLowerCase() + "\r\n";

        assertEquals(List.of(COLONS, COLONS.toLowerCase()), DtlsFingerprints.sha256Lines(sdp));
    }

    @Test
    void normalizeIgnoresColonsAndCase() {
        assertEquals(COLONS.replace(":", ""), DtlsFingerprints.normalize(COLONS.toLowerCase()));
        assertEquals(COLONS.replace(":", ""), DtlsFingerprints.normalize(COLONS.replace(":", "")));
    }

    @Test
    void normalizeRejectsInvalidHex() {
        assertThrows(IllegalArgumentException.class, () -> DtlsFingerprints.normalize("AB:CD"));
        assertThrows(IllegalArgumentException.class, () -> DtlsFingerprints.normalize("ZZ".repeat(32)));
    }

    @Test
    void withColonsRestoresSdpForm() {
        assertEquals(COLONS, DtlsFingerprints.withColons(COLONS.replace(":", "")));
    }
}
