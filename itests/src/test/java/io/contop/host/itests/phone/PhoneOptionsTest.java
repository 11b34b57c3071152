package io.contop.host.itests.phone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PhoneOptionsTest {

    private static final String FINGERPRINT = "AB".repeat(32);

    @Test
    void argumentsRoundTrip() {
        PhoneOptions options = new PhoneOptions()
                .signalingUrl("ws://10.77.1.1:8000/ws/signaling?token=abc")
                .fingerprint(FINGERPRINT)
                .deviceName(null)
                .connectionType("temp")
                .deviceLocation("Lyon, France")
                .send("{\"type\":\"ping\"}")
                .send("second")
                .stay(Duration.ofMillis(1500))
                .timeout(Duration.ofSeconds(7))
                .sendSessionEnd(false)
                .replyToKeepalive(false);

        PhoneOptions parsed = PhoneOptions.parse(options.toArguments().toArray(String[]::new));

        assertEquals("ws://10.77.1.1:8000/ws/signaling?token=abc", parsed.signalingUrl());
        assertEquals(FINGERPRINT, parsed.fingerprint());
        assertNull(parsed.deviceName());
        assertEquals("temp", parsed.connectionType());
        assertEquals("Lyon, France", parsed.deviceLocation());
        assertEquals(List.of("{\"type\":\"ping\"}", "second"), parsed.messagesToSend());
        assertEquals(Duration.ofMillis(1500), parsed.stay());
        assertEquals(Duration.ofSeconds(7), parsed.timeout());
        assertFalse(parsed.sendSessionEnd());
        assertFalse(parsed.replyToKeepalive());
    }

    @Test
    void defaultsAreAPolitePhone() {
        PhoneOptions parsed = PhoneOptions.parse(new String[] {"--signaling-url", "ws://x/ws/signaling?token=t", "--fingerprint", FINGERPRINT});

        assertEquals("Contop test phone", parsed.deviceName());
        assertNull(parsed.connectionType());
        assertTrue(parsed.sendSessionEnd());
        assertTrue(parsed.replyToKeepalive());
        assertEquals(Duration.ofSeconds(2), parsed.stay());
    }

    @Test
    void parseRejectsMissingAndInvalidOptions() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PhoneOptions.parse(new String[] {"--fingerprint", FINGERPRINT}));
        assertTrue(missing.getMessage().contains("--signaling-url"), missing.getMessage());

        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> PhoneOptions.parse(new String[] {"--stay-seconds", "-1"}));
        assertTrue(negative.getMessage().contains("--stay-seconds"), negative.getMessage());

        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PhoneOptions.parse(new String[] {"--stun", "stun:example"}));
        assertTrue(unknown.getMessage().contains("--stun"), unknown.getMessage());
    }
}
