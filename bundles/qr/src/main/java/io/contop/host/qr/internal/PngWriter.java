package io.contop.host.qr.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a module matrix as a 1-bit grayscale PNG: black modules on white, a quiet zone around
 * them, each module a square of pixels. Each distinct module row is packed once and repeated, so
 * the cost grows with the image rows rather than with every pixel.
 */
final class PngWriter {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private PngWriter() {
    }

    static byte[] write(boolean[][] modules, int quietZone, int pixelsPerModule) {
        int size = modules.length;
        int sidePixels = (size + 2 * quietZone) * pixelsPerModule;
        int rowBytes = (sidePixels + 7) / 8;

        byte[] white = packRow(null, quietZone, pixelsPerModule, sidePixels, rowBytes);
        ByteArrayOutputStream raw = new ByteArrayOutputStream((rowBytes + 1) * sidePixels);
        for (int i = 0; i < quietZone * pixelsPerModule; i++) {
            raw.write(white, 0, white.length);
        }
        for (boolean[] moduleRow : modules) {
            byte[] row = packRow(moduleRow, quietZone, pixelsPerModule, sidePixels, rowBytes);
            for (int i = 0; i < pixelsPerModule; i++) {
                raw.write(row, 0, row.length);
            }
        }
        for (int i = 0; i < quietZone * pixelsPerModule; i++) {
            raw.write(white, 0, white.length);
        }

        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(SIGNATURE);
        ByteBuffer header = ByteBuffer.allocate(13);
        header.putInt(sidePixels).putInt(sidePixels);
        header.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(png, "IHDR", header.array());
        chunk(png, "IDAT", deflate(raw.toByteArray()));
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    /** Packs one pixel row with its leading filter byte (0, none); bit 1 is white, 0 is black. */
    private static byte[] packRow(boolean[] moduleRow, int quietZone, int pixelsPerModule, int sidePixels,
            int rowBytes) {
        byte[] row = new byte[rowBytes + 1];
        for (int x = 0; x < sidePixels; x++) {
            int module = x / pixelsPerModule - quietZone;
            boolean dark = moduleRow != null && module >= 0 && module < moduleRow.length && moduleRow[module];
            if (!dark) {
                row[1 + x / 8] |= (byte) (0x80 >>> (x % 8));
            }
        }
        return row;
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 8 + 64);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                int count = deflater.deflate(buffer);
                out.write(buffer, 0, count);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
