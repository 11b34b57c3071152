package io.contop.host.benchmarks.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.contop.host.itests.support.PairingQr;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Reads the payload of a pairing QR code. It tries {@link PairingQr} first, which locates the code
 * in the image as a camera scanner does. When that fails it decodes the image as an unrotated code
 * on a plain background (ZXing's {@code PURE_BARCODE}), so that a rare miss of the locator does not
 * stop a benchmark run, and reports the miss on standard error.
 */
final class QrCodes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private QrCodes() {
    }

    static JsonNode payload(byte[] png) {
        try {
            return PairingQr.decodePayload(png);
        } catch (IllegalArgumentException locatorMissed) {
            System.err.println("benchmark: ZXing did not locate a pairing QR code in its PNG ("
                    + locatorMissed.getMessage() + "); decoding it as a pure barcode");
            return decodePure(png);
        }
    }

    private static JsonNode decodePure(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
            String text = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(
                    new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels))),
                    Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("The pairing QR code cannot be decoded even as a pure barcode: " + e, e);
        }
    }
}
