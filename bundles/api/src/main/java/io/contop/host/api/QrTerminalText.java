package io.contop.host.api;

import java.io.Console;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws a QR code in a terminal with Unicode half blocks, and converts the module matrix to and
 * from the text form that {@code POST /api/pair/modules} returns. The shell commands and the
 * {@code contop-host pair} launcher command both draw with this class; the launcher has it on its
 * class path because this class needs nothing outside the JDK.
 *
 * <p>Drawing: each text line shows two module rows. Light modules, the 4-module quiet zone
 * included, are drawn as block characters and dark modules as spaces, so the code reads correctly
 * in a terminal with a dark background. With ANSI colors the drawing sets white on black itself and
 * reads correctly on any background.
 */
public final class QrTerminalText {
    /** Width in modules of the light border drawn around the code, the same as in the daemon's PNG. */
    public static final int QUIET_ZONE_MODULES = 4;

    /** Both module rows light. */
    public static final char FULL_BLOCK = '\u2588';
    /** Upper module row light, lower dark. */
    public static final char UPPER_HALF_BLOCK = '\u2580';
    /** Upper module row dark, lower light. */
    public static final char LOWER_HALF_BLOCK = '\u2584';

    private static final String WHITE_ON_BLACK = "\u001b[97;40m";
    private static final String RESET = "\u001b[0m";
    private static final int MIN_SIZE = 21;
    private static final int MAX_SIZE = 177;
    private static final DateTimeFormatter EXPIRY_FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss xxx");

    private QrTerminalText() {
    }

    /**
     * Draws {@code modules} (true for dark, without quiet zone) with a 4-module quiet zone. When the
     * row count with quiet zone is odd, the last line's lower half is drawn light.
     *
     * @param ansiColors true to wrap each line in ANSI escapes for white on black
     * @return the lines, each ending with {@code \n}
     */
    public static String halfBlocks(boolean[][] modules, boolean ansiColors) {
        int size = modules.length + 2 * QUIET_ZONE_MODULES;
        StringBuilder text = new StringBuilder((size + 12) * (size / 2 + 1));
        for (int y = 0; y < size; y += 2) {
            if (ansiColors) {
                text.append(WHITE_ON_BLACK);
            }
            for (int x = 0; x < size; x++) {
                text.append(halfBlock(!isDark(modules, x, y), !isDark(modules, x, y + 1)));
            }
            if (ansiColors) {
                text.append(RESET);
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static char halfBlock(boolean upperLight, boolean lowerLight) {
        if (upperLight && lowerLight) {
            return FULL_BLOCK;
        }
        if (upperLight) {
            return UPPER_HALF_BLOCK;
        }
        if (lowerLight) {
            return LOWER_HALF_BLOCK;
        }
        return ' ';
    }

    /** Returns whether the module at ({@code x}, {@code y}) in quiet-zone coordinates is dark. */
    private static boolean isDark(boolean[][] modules, int x, int y) {
        int row = y - QUIET_ZONE_MODULES;
        int column = x - QUIET_ZONE_MODULES;
        return row >= 0 && row < modules.length && column >= 0 && column < modules[row].length
                && modules[row][column];
    }

    /**
     * Describes a pairing's expiry for the line under a drawn QR code, such as
     * {@code Temporary pairing, expires 2026-04-08 16:34:56 +02:00 (in 3 h 59 min)}.
     *
     * @param connectionType the wire name, {@code permanent} or {@code temp}
     */
    public static String expiryLine(String connectionType, Instant expiresAt, Instant now, ZoneId zone) {
        String kind = "temp".equals(connectionType) ? "Temporary pairing" : "Permanent pairing";
        String at = EXPIRY_FORMAT.format(expiresAt.atZone(zone));
        Duration remaining = Duration.between(now, expiresAt);
        if (remaining.isNegative() || remaining.isZero()) {
            return kind + ", expired " + at;
        }
        long minutes = remaining.toMinutes();
        String in = minutes >= 24 * 60 ? (minutes / (24 * 60)) + " d " + (minutes / 60 % 24) + " h"
                : minutes >= 60 ? (minutes / 60) + " h " + (minutes % 60) + " min"
                : minutes > 0 ? minutes + " min" : remaining.toSeconds() + " s";
        return kind + ", expires " + at + " (in " + in + ")";
    }

    /** Writes the matrix as one line per module row, {@code 1} for dark and {@code 0} for light. */
    public static String moduleRows(boolean[][] modules) {
        StringBuilder text = new StringBuilder(modules.length * (modules.length + 1));
        for (boolean[] row : modules) {
            for (boolean dark : row) {
                text.append(dark ? '1' : '0');
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * Parses the output of {@link #moduleRows}.
     *
     * @throws IllegalArgumentException when the text is not a square of {@code 0} and {@code 1}
     *     with a QR code's size (21 to 177 modules, a multiple of 4 plus 1)
     */
    public static boolean[][] parseModuleRows(String text) {
        List<boolean[]> rows = new ArrayList<>();
        for (String line : text.strip().split("\r?\n")) {
            boolean[] row = new boolean[line.length()];
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c != '0' && c != '1') {
                    throw new IllegalArgumentException("module rows may contain only 0 and 1, found '" + c
                            + "' in row " + (rows.size() + 1));
                }
                row[i] = c == '1';
            }
            rows.add(row);
        }
        int size = rows.size();
        if (size < MIN_SIZE || size > MAX_SIZE || (size - MIN_SIZE) % 4 != 0) {
            throw new IllegalArgumentException("a QR code has 21 to 177 module rows (a multiple of 4 plus 1), found "
                    + size);
        }
        for (int i = 0; i < size; i++) {
            if (rows.get(i).length != size) {
                throw new IllegalArgumentException("module row " + (i + 1) + " has " + rows.get(i).length
                        + " modules, expected " + size);
            }
        }
        return rows.toArray(boolean[][]::new);
    }

    /**
     * Returns whether this JVM's standard input and output are a terminal. On Java 17 to 21,
     * {@link System#console()} is null whenever either is redirected; from Java 22 on it may be
     * non-null anyway, so {@code Console.isTerminal()} is asked when it exists.
     */
    public static boolean standardOutputIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
