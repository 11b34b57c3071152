package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.contop.host.transport.internal.SignalingMessages.Candidate;
import io.contop.host.transport.internal.SignalingMessages.Invalid;
import io.contop.host.transport.internal.SignalingMessages.Location;
import io.contop.host.transport.internal.SignalingMessages.Message;
import io.contop.host.transport.internal.SignalingMessages.Offer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A bounded mutation fuzz of {@link SignalingMessages#parse}: valid frames are mutated at random
 * for a few seconds, and every result must keep the parser's guarantees. The seed is printed, so
 * a failure can be replayed with {@code -Dfuzz.seed=<seed>}.
 */
class SignalingMessagesFuzzTest {
    private static final long BUDGET_NANOS = Long.getLong("fuzz.seconds", 3) * 1_000_000_000L;
    /** Put into seeds so that an error message that echoes its input is caught. */
    private static final String MARKER = "ECHO-MARKER-7f3a";

    private static final List<String> SEEDS = List.of(
            "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 46 2 IN IP4 127.0.0.1\\r\\ns=-\\r\\nt=0 0\\r\\n"
                    + "a=fingerprint:sha-256 AB:CD\\r\\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\\r\\n\","
                    + "\"device_name\":\"" + MARKER + "\",\"connection_type\":\"temp\",\"device_location\":\"Porto\"}",
            "{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 2122260223 10.77.3.2 50000 "
                    + "typ host generation 0\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}",
            "{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"candidate:2 1 tcp 1518280447 fe80::1 9 typ host "
                    + "tcptype active\",\"sdpMid\":null,\"sdpMLineIndex\":1}}",
            "{\"type\":\"device_location\",\"location\":\"" + MARKER + ", Portugal\"}",
            "{\"type\":\"ice_candidate\",\"candidate\":null}",
            "{\"type\":\"answer\",\"sdp\":\"v=0\"}");

    private static final List<String> TOKENS = List.of("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800",
            "null", "true", "-1", "1e309", "99999999999999999999", "0.5", "\"type\"", "\"offer\"", "\"sdp\"",
            "\"candidate\"", "\"ice_candidate\"", "\"sdpMLineIndex\"", "v=0", " 65536 ", " typ ", ".local", "\u202E",
            "\n", "\uD83D\uDCF1", MARKER);

    @Test
    void parserKeepsItsGuarantees() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("SignalingMessagesFuzzTest seed " + seed);
        Random random = new Random(seed);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int iterations = 0;
        while (System.nanoTime() < deadline) {
            String frame = mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            check(frame, seed);
            iterations++;
        }
        System.out.println("SignalingMessagesFuzzTest ran " + iterations + " frames");
        assertTrue(iterations > 1000, "only " + iterations + " frames in the time budget");
    }

    private static String mutate(String seed, Random random) {
        StringBuilder text = new StringBuilder(seed);
        int mutations = 1 + random.nextInt(6);
        for (int i = 0; i < mutations; i++) {
            int position = text.length() == 0 ? 0 : random.nextInt(text.length() + 1);
            switch (random.nextInt(6)) {
                case 0 -> text.insert(position, TOKENS.get(random.nextInt(TOKENS.size())));
                case 1 -> text.insert(position, (char) random.nextInt(0x3000));
                case 2 -> {
                    int end = Math.min(text.length(), position + random.nextInt(12));
                    text.delete(position, end);
                }
                case 3 -> {
                    int end = Math.min(text.length(), position + random.nextInt(40));
                    String span = text.substring(position, end);
                    text.insert(position, span.repeat(1 + random.nextInt(50)));
                }
                case 4 -> {
                    if (position < text.length()) {
                        text.setCharAt(position, (char) (text.charAt(position) ^ (1 << random.nextInt(8))));
                    }
                }
                default -> text.insert(position, SEEDS.get(random.nextInt(SEEDS.size())));
            }
        }
        return text.toString();
    }

    private static void check(String frame, long seed) {
        Message message;
        try {
            message = SignalingMessages.parse(frame);
        } catch (RuntimeException | StackOverflowError e) {
            fail("parse threw " + e + " (seed " + seed + ") for: " + frame, e);
            return;
        }
        assertNotNull(message, () -> "null result (seed " + seed + ") for: " + frame);
        if (message instanceof Invalid invalid) {
            assertFalse(invalid.error().isBlank());
            assertFalse(invalid.error().contains(MARKER), () -> "error echoes its input: " + invalid.error());
            assertTrue(invalid.error().length() < 300, invalid::error);
        } else if (message instanceof Offer offer) {
            assertTrue(offer.sdp().startsWith("v=0"));
            checkCleaned(offer.deviceName(), SignalingMessages.MAX_DEVICE_NAME);
            checkCleaned(offer.location(), SignalingMessages.MAX_LOCATION);
        } else if (message instanceof Location location) {
            checkCleaned(location.location(), SignalingMessages.MAX_LOCATION);
        } else if (message instanceof Candidate candidate) {
            assertNull(SignalingMessages.candidateLineError(candidate.candidate().candidate()));
            assertTrue(candidate.candidate().candidate().length() <= SignalingMessages.MAX_CANDIDATE);
            assertTrue(candidate.candidate().sdpMid() != null || candidate.candidate().sdpMLineIndex() != null);
            assertTrue(candidate.candidate().sdpMLineIndex() == null || candidate.candidate().sdpMLineIndex() >= 0);
        }
    }

    private static void checkCleaned(String value, int maxLength) {
        if (value == null) {
            return;
        }
        assertTrue(value.codePointCount(0, value.length()) <= maxLength, value);
        assertTrue(value.codePoints().noneMatch(Character::isISOControl), value);
        assertTrue(value.indexOf('\u202E') < 0, value);
        assertTrue(value.indexOf('\u2028') < 0, value);
    }
}
