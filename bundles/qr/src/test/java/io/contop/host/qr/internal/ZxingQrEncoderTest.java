package io.contop.host.qr.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.contop.host.api.QrImage;
import io.contop.host.api.QrPayload;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ZxingQrEncoderTest {
    private final ZxingQrEncoder encoder = new ZxingQrEncoder();

    @Test
    void payloadIsCompactJsonInOrder() {
        QrImage image = encoder.encode(QrPayload.builder().put("t", "abc").put("p", 8000).put("g", null)
                .put("pa", Map.of("a", "sub")).build());
        assertEquals("{\"t\":\"abc\",\"p\":8000,\"pa\":{\"a\":\"sub\"}}", image.payloadJson());
    }

    @Test
    void pngDecodesToPayload() throws Exception {
        QrImage image = encoder.encode(largestPayload());
        assertEquals(image.payloadJson(), decode(image.png()));
    }

    @Test
    void pngHasQuietZoneAndModuleSize() throws Exception {
        QrImage image = encoder.encode(QrPayload.builder().put("t", "x").build());
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(image.png()));
        int modules = image.modules().length;

        assertEquals((modules + 8) * 10, png.getWidth());
        assertEquals(png.getWidth(), png.getHeight());
        assertEquals(0xFFFFFF, png.getRGB(39, 39) & 0xFFFFFF);
        assertEquals(0x000000, png.getRGB(40, 40) & 0xFFFFFF);
    }

    @Test
    void largestPayloadFitsVersion18() {
        QrImage image = encoder.encode(largestPayload());
        assertEquals(706, image.payloadJson().length());
        assertTrue(image.version() <= 18, "version " + image.version());
    }

    static QrPayload largestPayload() {
        // 706 characters, the size of the largest payload of the server this host replaces.
        return QrPayload.builder()
                .put("t", "6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d")
                .put("d", "AB".repeat(32))
                .put("h", "192.168.100.200")
                .put("p", 8000)
                .put("e", "2026-05-08T12:34:56.789012+00:00")
                .put("c", "temp")
                .put("g", "AIza" + "B".repeat(35))
                .put("o", "sk-proj-" + "C".repeat(147))
                .put("a", "sk-ant-api03-" + "D".repeat(95))
                .put("r", "sk-or-v1-" + "E".repeat(64))
                .put("ts", "100.101.102.103")
                .put("s", "wss://" + "f".repeat(40) + ".trycloudflare.com/ws/signaling")
                .build();
    }

    static String decode(byte[] png) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        LuminanceSource source = new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels);
        Result result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)),
                Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE));
        return result.getText();
    }
}
