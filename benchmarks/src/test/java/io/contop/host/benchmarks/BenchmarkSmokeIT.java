package io.contop.host.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmark with {@code --smoke} (tiny counts) against the built distribution and checks
 * that every figure was measured. It checks that the benchmark still works, never how fast the
 * daemon is. Needs root and libpulse0, like the WebRTC integration tests.
 */
class BenchmarkSmokeIT {
    private static final Path OUTPUT = Path.of("target", "benchmark-smoke.md");
    private static int status;
    private static String page;

    @BeforeAll
    static void runSmoke() throws Exception {
        status = BenchmarkMain.run(new String[] {"--smoke", "--output", OUTPUT.toString(), "--work",
            Path.of("target", "benchmark-smoke-work").toString()});
        page = Files.readString(OUTPUT, StandardCharsets.UTF_8);
    }

    @Test
    void everyFigureHasRow() {
        for (Figure figure : Figure.values()) {
            assertNotNull(row(figure), "no row for " + figure.id() + " in:\n" + page);
        }
    }

    @Test
    void noFigureFailed() {
        for (Figure figure : Figure.values()) {
            String row = row(figure);
            if (row != null) {
                assertFalse(row.contains(Verdict.ERROR.label()), figure.id() + " could not be measured:\n" + page);
            }
        }
        assertEquals(0, status, "the benchmark exited with status " + status + ":\n" + page);
    }

    @Test
    void headerNamesCoresAndDate() {
        assertNotNull(line("- Date: "), page);
        assertNotNull(line("- Machine: " + Runtime.getRuntime().availableProcessors() + " cores"), page);
    }

    /** Returns the table row of {@code figure}, or null. */
    private static String row(Figure figure) {
        return page.lines().filter(line -> line.startsWith("| ") && line.contains("`" + figure.id() + "`"))
                .findFirst().orElse(null);
    }

    private static String line(String prefix) {
        return page.lines().filter(candidate -> candidate.startsWith(prefix)).findFirst().orElse(null);
    }
}
