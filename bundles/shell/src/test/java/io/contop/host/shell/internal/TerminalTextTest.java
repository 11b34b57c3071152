package io.contop.host.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void sanitizeReplacesTerminalControls() {
        assertEquals("?[31mred?[0m", TerminalText.sanitize("\u001b[31mred\u001b[0m"));
        assertEquals("a?b", TerminalText.sanitize("a\u202eb"));
        assertEquals("line?next", TerminalText.sanitize("line\nnext"));
        assertEquals("Zoë's phone", TerminalText.sanitize("Zoë's phone"));
        assertEquals("-", TerminalText.sanitize(null));
    }

    @Test
    void tableAlignsColumnsAndCutsLongCells() {
        String table = TerminalText.table(List.of("NAME", "TYPE"),
                List.of(List.of("Pixel", "temp"), List.of("x".repeat(50), "permanent")));

        String[] lines = table.split("\n");
        assertEquals("NAME" + " ".repeat(38) + "TYPE", lines[0]);
        assertEquals("Pixel" + " ".repeat(37) + "temp", lines[1]);
        assertEquals("x".repeat(39) + "\u2026  permanent", lines[2]);
    }
}
