package io.contop.host.qr.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.decoder.Decoder;
import io.contop.host.api.QrImage;
import io.contop.host.api.QrPayload;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A bounded random round trip of pairing payloads: each payload is encoded, its module matrix (and
 * for every tenth one its PNG) is decoded again with ZXing, and the decoded JSON must equal the
 * payload. Values include JSON metacharacters, every printable ASCII character an API key may
 * contain, and non-Latin-1 text that needs the UTF-8 mode. The seed is printed; replay a failure
 * with {@code -Dfuzz.seed=<seed>}.
 */
class QrRoundTripFuzzTest {
    private static final long BUDGET_NANOS = Long.getLong("fuzz.seconds", 3) * 1_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ZxingQrEncoder encoder = new ZxingQrEncoder();

    @Test
    void randomPayloadsDecodeToThemselves() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("QrRoundTripFuzzTest seed " + seed);
        Random random = new Random(seed);
        long deadline = System.nanoTime() + BUDGET_NANOS;
        int iterations = 0;
        while (System.nanoTime() < deadline) {
            Map<String, Object> fields = randomFields(random);
            QrPayload.Builder builder = QrPayload.builder();
            fields.forEach(builder::put);
            QrImage image = encoder.encode(builder.build());

            String decoded = decodeModules(image.modules());
            assertEquals(image.payloadJson(), decoded, "seed " + seed);
            if (iterations % 10 == 0) {
                assertEquals(image.payloadJson(), ZxingQrEncoderTest.decode(image.png()), "seed " + seed);
            }
            JsonNode parsed = JSON.readTree(decoded);
            assertEquals(JSON.valueToTree(fields), parsed, "seed " + seed);
            assertTrue(parsed.get("d").asText().matches("[0-9A-F]{64}"));
            assertTrue(parsed.get("p").isInt());
            iterations++;
        }
        System.out.println("QrRoundTripFuzzTest ran " + iterations + " payloads");
        assertTrue(iterations >= 20, "only " + iterations + " payloads in the time budget");
    }

    private static Map<String, Object> randomFields(Random random) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("t", UUID.randomUUID().toString());
        StringBuilder fingerprint = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            fingerprint.append("0123456789ABCDEF".charAt(random.nextInt(16)));
        }
        fields.put("d", fingerprint.toString());
        fields.put("h", random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256));
        fields.put("p", random.nextInt(65536));
        fields.put("e", "2026-05-08T12:34:56." + (100000 + random.nextInt(900000)) + "+00:00");
        fields.put("c", random.nextBoolean() ? "permanent" : "temp");
        for (String key : new String[] {"g", "o", "a", "r"}) {
            if (random.nextInt(3) > 0) {
                fields.put(key, printableAscii(random, 10 + random.nextInt(100)));
            }
        }
        if (random.nextBoolean()) {
            Map<String, String> subscriptions = new LinkedHashMap<>();
            subscriptions.put("a", "sub");
            fields.put("pa", subscriptions);
        }
        if (random.nextBoolean()) {
            fields.put("ts", "100." + (64 + random.nextInt(64)) + "." + random.nextInt(256) + "." + random.nextInt(256));
        }
        if (random.nextInt(4) == 0) {
            // A key a future path bundle might add, with text outside Latin-1.
            fields.put("x" + random.nextInt(10), "caf\u00e9 \u6771\u4eac \uD83D\uDCF1 " + printableAscii(random, 5));
        }
        return fields;
    }

    private static String printableAscii(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) (0x21 + random.nextInt(0x7e - 0x21 + 1)));
        }
        return text.toString();
    }

    private static String decodeModules(boolean[][] modules) throws Exception {
        BitMatrix matrix = new BitMatrix(modules.length);
        for (int y = 0; y < modules.length; y++) {
            for (int x = 0; x < modules.length; x++) {
                if (modules[y][x]) {
                    matrix.set(x, y);
                }
            }
        }
        return new Decoder().decode(matrix).getText();
    }
}
