package io.contop.host.itests.phone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class FingerprintCheckTest {

    private static final String COLONS = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    @Test
    void sha256LinesAreFoundAtEveryLevel() {
        String sdp = "v=0\r\n"
                + "a=fingerprint:sha-256 " + COLONS + "\r\n"
                + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                + "a=fingerprint:sha-1 00:11\r\n"
                + "a=FINGERPRINT:SHA-256 " + COLONS.toLowerCase() + "\r\n";

        assertEquals(List.of(COLONS, COLONS.toLowerCase()), JavaPhone.sha256Fingerprints(sdp));
    }

    @Test
    void normalizeIgnoresColonsAndCase() {
        assertEquals(COLONS.replace(":", ""), JavaPhone.normalizeFingerprint(COLONS.toLowerCase()));
        assertEquals(COLONS.replace(":", ""), JavaPhone.normalizeFingerprint(COLONS.replace(":", "")));
    }

    @Test
    void normalizeRejectsWrongLength() {
        assertThrows(IllegalArgumentException.class, () -> JavaPhone.normalizeFingerprint("AB:CD"));
        assertThrows(IllegalArgumentException.class, () -> JavaPhone.normalizeFingerprint("ZZ".repeat(32)));
    }
}
