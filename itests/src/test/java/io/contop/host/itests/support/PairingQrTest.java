package io.contop.host.itests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PairingQrTest {

    private static final String PAYLOAD = "{\"t\":\"tok-123\",\"d\":\"" + "AB".repeat(32)
            + "\",\"h\":\"192.168.1.20\",\"p\":8000,\"e\":\"2026-05-01T10:00:00+00:00\",\"c\":\"permanent\",\"g\":\"key\"}";

    @Test
    void payloadDecodesFromPng() throws Exception {
        JsonNode payload = PairingQr.decodePayload(qrPng(PAYLOAD));

        assertEquals("tok-123", payload.path("t").asText());
        assertEquals("AB".repeat(32), payload.path("d").asText());
        assertEquals(8000, payload.path("p").asInt());
    }

    @Test
    void imageWithoutQrIsRejected() throws IOException {
        BufferedImage blank = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(blank, "png", png);

        assertThrows(IllegalArgumentException.class, () -> PairingQr.decodeText(png.toByteArray()));
        assertThrows(IllegalArgumentException.class, () -> PairingQr.decodeText(new byte[] {1, 2, 3}));
    }

    /** Renders {@code text} as the daemon does: level L, quiet zone 4, 10 pixels per module. */
    private static byte[] qrPng(String text) throws Exception {
        BitMatrix matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.L, EncodeHintType.MARGIN, 4));
        int scale = 10;
        BufferedImage image = new BufferedImage(matrix.getWidth() * scale, matrix.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, matrix.get(x / scale, y / scale) ? 0x000000 : 0xFFFFFF);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }
}
