package io.contop.host.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class QrTerminalTextTest {
    /** Returns a 21 by 21 matrix that is dark where (x + 2y) % 3 == 0. */
    private static boolean[][] pattern() {
        boolean[][] modules = new boolean[21][21];
        for (int y = 0; y < 21; y++) {
            for (int x = 0; x < 21; x++) {
                modules[y][x] = (x + 2 * y) % 3 == 0;
            }
        }
        return modules;
    }

    @Test
    void halfBlocksAddQuietZone() {
        String[] lines = QrTerminalText.halfBlocks(pattern(), false).split("\n");

        assertEquals(15, lines.length);
        for (String line : lines) {
            assertEquals(29, line.length(), line);
        }
        assertEquals("\u2588".repeat(29), lines[0]);
        assertEquals("\u2588".repeat(29), lines[1]);
        assertEquals("\u2588".repeat(29), lines[14].substring(0, 29));
    }

    @Test
    void halfBlocksEncodeUpperAndLowerModule() {
        boolean[][] modules = new boolean[21][21];
        modules[0][0] = true;
        modules[1][1] = true;
        modules[0][2] = true;
        modules[1][2] = true;

        String line = QrTerminalText.halfBlocks(modules, false).split("\n")[2];

        assertEquals(QrTerminalText.LOWER_HALF_BLOCK, line.charAt(4));
        assertEquals(QrTerminalText.UPPER_HALF_BLOCK, line.charAt(5));
        assertEquals(' ', line.charAt(6));
        assertEquals(QrTerminalText.FULL_BLOCK, line.charAt(7));
    }

    @Test
    void ansiColorsWrapEveryLine() {
        String[] lines = QrTerminalText.halfBlocks(pattern(), true).split("\n");

        for (String line : lines) {
            assertTrue(line.startsWith("\u001b[97;40m"), line);
            assertTrue(line.endsWith("\u001b[0m"), line);
        }
    }

    @Test
    void moduleRowsRoundTrip() {
        boolean[][] modules = pattern();

        assertArrayEquals(modules, QrTerminalText.parseModuleRows(QrTerminalText.moduleRows(modules)));
    }

    @Test
    void parseModuleRowsRejectsInvalidText() {
        assertThrows(IllegalArgumentException.class, () -> QrTerminalText.parseModuleRows("0101\n1010\n"));
        String square = QrTerminalText.moduleRows(pattern());
        assertThrows(IllegalArgumentException.class, () -> QrTerminalText.parseModuleRows(square.replaceFirst("1", "x")));
        assertThrows(IllegalArgumentException.class, () -> QrTerminalText.parseModuleRows(square.replaceFirst("\n", "0\n")));
    }

    @Test
    void expiryLineShowsKindTimeAndRemaining() {
        Instant now = Instant.parse("2026-04-08T12:00:00Z");

        assertEquals("Temporary pairing, expires 2026-04-08 16:00:00 +00:00 (in 4 h 0 min)",
                QrTerminalText.expiryLine("temp", now.plus(Duration.ofHours(4)), now, ZoneOffset.UTC));
        assertEquals("Permanent pairing, expires 2026-05-08 14:00:00 +02:00 (in 30 d 0 h)",
                QrTerminalText.expiryLine("permanent", now.plus(Duration.ofDays(30)), now, ZoneOffset.ofHours(2)));
        assertEquals("Permanent pairing, expired 2026-04-08 11:00:00 +00:00",
                QrTerminalText.expiryLine("permanent", now.minus(Duration.ofHours(1)), now, ZoneOffset.UTC));
    }
}
