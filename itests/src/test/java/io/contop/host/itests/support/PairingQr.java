package io.contop.host.itests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.NotFoundException;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.ImageIO;

/** Decodes a pairing QR code PNG the way a phone's scanner reads it. */
public final class PairingQr {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PairingQr() {
    }

    /** Returns the text inside the QR code. */
    public static String decodeText(byte[] png) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            if (image == null) {
                throw new IllegalArgumentException("not a PNG image (" + png.length + " bytes)");
            }
            int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
            BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(
                    new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
            try {
                return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.TRY_HARDER, Boolean.TRUE)).getText();
            } catch (NotFoundException | com.google.zxing.ChecksumException | com.google.zxing.FormatException detectorMissed) {
                // ZXing's finder-pattern detector misses about 1 in 100 of these clean images, or
                // samples the grid wrongly so that the checksum fails; the image is an unrotated
                // code with a quiet zone, which the pure-barcode reader handles.
                return new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
            }
        } catch (IOException | NotFoundException | com.google.zxing.ChecksumException
                | com.google.zxing.FormatException e) {
            throw new IllegalArgumentException("QR code could not be decoded: " + e, e);
        }
    }

    /** Returns the compact JSON payload inside the QR code. */
    public static JsonNode decodePayload(byte[] png) {
        try {
            return MAPPER.readTree(decodeText(png));
        } catch (IOException e) {
            throw new IllegalArgumentException("QR payload is not JSON", e);
        }
    }
}
