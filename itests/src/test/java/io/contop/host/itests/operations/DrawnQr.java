package io.contop.host.itests.operations;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Reads back a QR code drawn in a terminal with half blocks, written here apart from the daemon's
 * renderer so that a shared mistake cannot hide. The drawing has two module rows per line, light
 * modules as blocks, dark modules as spaces and a 4-module quiet zone. Also converts module
 * matrices to and from PNG images for ZXing.
 */
final class DrawnQr {
    static final int QUIET_ZONE = 4;
    private static final char FULL = '\u2588';
    private static final char UPPER = '\u2580';
    private static final char LOWER = '\u2584';

    private DrawnQr() {
    }

    /**
     * Finds the drawing that ends on the line before {@code lineAfter} and returns its modules
     * without quiet zone, true for dark. A Gogo prompt ({@code g! }) before the first line is
     * skipped.
     *
     * @throws AssertionError when no square drawing ends there
     */
    static boolean[][] modulesBefore(String text, String lineAfter) {
        List<String> lines = new ArrayList<>(List.of(text.split("\r?\n")));
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(lineAfter)) {
                end = i;
            }
        }
        if (end < 0) {
            throw new AssertionError("no line starting with \"" + lineAfter + "\" in:\n" + text);
        }
        List<String> drawing = new ArrayList<>();
        for (int i = end - 1; i >= 0; i--) {
            String line = lines.get(i).startsWith("g! ") ? lines.get(i).substring(3) : lines.get(i);
            if (line.isEmpty() || !line.chars().allMatch(c -> c == FULL || c == UPPER || c == LOWER || c == ' ')
                    || (!drawing.isEmpty() && line.length() != drawing.get(0).length())) {
                break;
            }
            drawing.add(0, line);
        }
        if (drawing.isEmpty()) {
            throw new AssertionError("no half-block drawing before \"" + lineAfter + "\" in:\n" + text);
        }
        return fromHalfBlocks(drawing);
    }

    /** Converts half-block lines (quiet zone included) back to the inner module matrix. */
    static boolean[][] fromHalfBlocks(List<String> drawing) {
        int width = drawing.get(0).length();
        if (drawing.size() != (width + 1) / 2) {
            throw new AssertionError("a drawing " + width + " characters wide needs " + (width + 1) / 2
                    + " lines, found " + drawing.size());
        }
        boolean[][] withQuietZone = new boolean[width][width];
        for (int line = 0; line < drawing.size(); line++) {
            for (int x = 0; x < width; x++) {
                char c = drawing.get(line).charAt(x);
                boolean upperDark = c == ' ' || c == LOWER;
                boolean lowerDark = c == ' ' || c == UPPER;
                withQuietZone[2 * line][x] = upperDark;
                if (2 * line + 1 < width) {
                    withQuietZone[2 * line + 1][x] = lowerDark;
                }
            }
        }
        int size = width - 2 * QUIET_ZONE;
        boolean[][] modules = new boolean[size][size];
        for (int y = 0; y < width; y++) {
            for (int x = 0; x < width; x++) {
                boolean inside = y >= QUIET_ZONE && y < QUIET_ZONE + size && x >= QUIET_ZONE && x < QUIET_ZONE + size;
                if (inside) {
                    modules[y - QUIET_ZONE][x - QUIET_ZONE] = withQuietZone[y][x];
                } else if (withQuietZone[y][x]) {
                    throw new AssertionError("dark module in the quiet zone at row " + y + ", column " + x);
                }
            }
        }
        return modules;
    }

    /** Renders modules as a PNG with a 4-module quiet zone and {@code scale} pixels per module. */
    static byte[] toPng(boolean[][] modules, int scale) {
        int size = (modules.length + 2 * QUIET_ZONE) * scale;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int row = y / scale - QUIET_ZONE;
                int column = x / scale - QUIET_ZONE;
                boolean dark = row >= 0 && row < modules.length && column >= 0 && column < modules.length
                        && modules[row][column];
                image.setRGB(x, y, dark ? 0x000000 : 0xFFFFFF);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    /**
     * Samples the centre of every module of a daemon QR PNG (10 pixels per module, 4-module quiet
     * zone) and returns the modules without quiet zone.
     */
    static boolean[][] fromDaemonPng(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int pixelsPerModule = 10;
        int size = image.getWidth() / pixelsPerModule - 2 * QUIET_ZONE;
        boolean[][] modules = new boolean[size][size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = image.getRGB((x + QUIET_ZONE) * pixelsPerModule + pixelsPerModule / 2,
                        (y + QUIET_ZONE) * pixelsPerModule + pixelsPerModule / 2);
                modules[y][x] = (rgb & 0xFF) < 128;
            }
        }
        return modules;
    }
}
