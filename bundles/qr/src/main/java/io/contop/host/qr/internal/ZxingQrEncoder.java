package io.contop.host.qr.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import com.google.zxing.qrcode.encoder.QRCode;
import io.contop.host.api.QrEncoder;
import io.contop.host.api.QrImage;
import io.contop.host.api.QrPayload;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/**
 * Encodes pairing payloads with ZXing at error correction level L and writes the PNG with a
 * 4-module quiet zone and 10 pixels per module.
 */
@Component(immediate = true, service = QrEncoder.class)
public final class ZxingQrEncoder implements QrEncoder {
    static final int QUIET_ZONE_MODULES = 4;
    static final int PIXELS_PER_MODULE = 10;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public QrImage encode(QrPayload payload) {
        String json;
        try {
            json = mapper.writeValueAsString(payload.fields());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("QR payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }

        QRCode code;
        try {
            code = Encoder.encode(json, ErrorCorrectionLevel.L, hints(json));
        } catch (WriterException e) {
            throw new IllegalArgumentException("QR payload of " + json.length() + " characters does not fit in a QR code",
                    e);
        }

        boolean[][] modules = toModules(code.getMatrix());
        byte[] png = PngWriter.write(modules, QUIET_ZONE_MODULES, PIXELS_PER_MODULE);
        return new QrImage(json, png, code.getVersion().getVersionNumber(), modules);
    }

    /** Byte mode in ISO-8859-1 (ZXing's default) unless the text needs UTF-8, which costs an ECI header. */
    private static Map<EncodeHintType, Object> hints(String json) {
        Map<EncodeHintType, Object> hints = new EnumMap<>(EncodeHintType.class);
        if (!StandardCharsets.ISO_8859_1.newEncoder().canEncode(json)) {
            hints.put(EncodeHintType.CHARACTER_SET, StandardCharsets.UTF_8.name());
        }
        return hints;
    }

    private static boolean[][] toModules(ByteMatrix matrix) {
        boolean[][] modules = new boolean[matrix.getHeight()][matrix.getWidth()];
        for (int y = 0; y < matrix.getHeight(); y++) {
            for (int x = 0; x < matrix.getWidth(); x++) {
                modules[y][x] = matrix.get(x, y) == 1;
            }
        }
        return modules;
    }
}
