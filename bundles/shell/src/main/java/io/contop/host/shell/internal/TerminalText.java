package io.contop.host.shell.internal;

import io.contop.host.api.QrTerminalText;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Text helpers for the shell's output: safe display of phone-reported strings, tables and QR codes. */
final class TerminalText {
    static final int MAX_CELL_LENGTH = 40;
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private TerminalText() {
    }

    /**
     * Returns {@code value} with every control and format character (ANSI escapes, bidirectional
     * overrides) replaced by {@code ?}, so that a name a phone reported cannot drive the terminal;
     * null becomes {@code -}.
     */
    static String sanitize(String value) {
        if (value == null) {
            return "-";
        }
        StringBuilder clean = new StringBuilder(value.length());
        value.codePoints().forEach(codePoint -> {
            int type = Character.getType(codePoint);
            boolean unsafe = Character.isISOControl(codePoint) || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
            clean.appendCodePoint(unsafe ? '?' : codePoint);
        });
        return clean.toString();
    }

    /** Returns the instant in the system time zone, or {@code never} for null. */
    static String localTime(Instant instant) {
        return instant == null ? "never" : LOCAL_TIME.format(instant.atZone(ZoneId.systemDefault()));
    }

    /** Draws a QR code with its expiry line, in ANSI white on black when standard output is a terminal. */
    static String qr(boolean[][] modules, String connectionType, Instant expiresAt) {
        boolean colors = QrTerminalText.standardOutputIsTerminal() && System.getenv("NO_COLOR") == null;
        return QrTerminalText.halfBlocks(modules, colors)
                + QrTerminalText.expiryLine(connectionType, expiresAt, Instant.now(), ZoneId.systemDefault()) + "\n";
    }

    /**
     * Lays out rows as columns separated by two spaces, under an upper-case header. Cells are
     * sanitized and cut to 40 characters.
     */
    static String table(List<String> header, List<List<String>> rows) {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        for (List<String> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String cell : row) {
                String clean = sanitize(cell);
                cells.add(clean.length() > MAX_CELL_LENGTH ? clean.substring(0, MAX_CELL_LENGTH - 1) + "\u2026" : clean);
            }
            all.add(cells);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
