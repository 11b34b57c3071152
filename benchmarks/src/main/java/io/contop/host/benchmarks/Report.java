package io.contop.host.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The rows of one benchmark run and the Markdown page made from them. Sections record rows in
 * any order; the table lists them in {@link Figure} order. Thread-safe.
 */
public final class Report {

    /** One measured figure: the value text, how many samples it rests on, the verdict and a note. */
    public record Row(String measured, String samples, Verdict verdict, String note) {
    }

    private final MachineInfo machine;
    private final String mode;
    private final String revision;
    private final Instant started = Instant.now();
    private final double loadAtStart = MachineInfo.loadAverage();
    private final Map<Figure, Row> rows = new EnumMap<>(Figure.class);
    private final Map<String, Samples> baselines = new HashMap<>();

    public Report(MachineInfo machine, String mode, String revision) {
        this.machine = machine;
        this.mode = mode;
        this.revision = revision;
    }

    public synchronized void record(Figure figure, String measured, String samples, Verdict verdict, String note) {
        rows.put(figure, new Row(measured, samples, verdict, note));
    }

    /** Records an error for {@code figure} unless it already has a row. */
    public synchronized void recordErrorIfAbsent(Figure figure, String message) {
        rows.putIfAbsent(figure, new Row("", "", Verdict.ERROR, message));
    }

    public synchronized Optional<Row> row(Figure figure) {
        return Optional.ofNullable(rows.get(figure));
    }

    /** Keeps samples that a later section compares with, such as the empty store's pairing latency. */
    public synchronized void keepBaseline(String name, Samples samples) {
        baselines.put(name, samples);
    }

    public synchronized Optional<Samples> baseline(String name) {
        return Optional.ofNullable(baselines.get(name));
    }

    /** Returns true when some row has an error. */
    public synchronized boolean hasErrors() {
        return rows.values().stream().anyMatch(row -> row.verdict() == Verdict.ERROR);
    }

    /** Renders the page: the run's context, the table and the notes of each row. */
    public synchronized String toMarkdown() {
        Instant finished = Instant.now();
        StringBuilder page = new StringBuilder();
        page.append("# Contop Host benchmark results\n\n");
        page.append("- Date: ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" (UTC), ")
                .append(minutes(Duration.between(started, finished))).append('\n');
        page.append("- Mode: ").append(mode).append('\n');
        page.append("- Machine: ").append(machine.describe()).append('\n');
        page.append("- Revision: ").append(revision).append('\n');
        page.append(String.format(Locale.ROOT,
                "- Load average (1 min): %.2f at the start, %.2f at the end; a value well above 0 at the start "
                        + "means other processes were using the machine%n", loadAtStart, MachineInfo.loadAverage()));
        page.append('\n');
        page.append("| Figure | Goal | Measured | Samples | Verdict |\n");
        page.append("|---|---|---|---|---|\n");
        for (Figure figure : Figure.values()) {
            Row row = rows.getOrDefault(figure, new Row("", "", Verdict.NOT_MEASURED, "section not run"));
            page.append("| ").append(figure.title()).append(" <br>`").append(figure.id()).append("` | ")
                    .append(figure.goal()).append(" | ").append(row.measured()).append(" | ")
                    .append(row.samples()).append(" | ").append(row.verdict().label()).append(" |\n");
        }
        page.append("\n## Notes\n\n");
        for (Figure figure : Figure.values()) {
            Row row = rows.get(figure);
            String note = row == null ? "section not run" : row.note();
            if (note != null && !note.isBlank()) {
                page.append("- `").append(figure.id()).append("`: ").append(note.replace('\n', ' ')).append('\n');
            }
        }
        return page.toString();
    }

    private static String minutes(Duration duration) {
        return String.format(Locale.ROOT, "run took %.1f min", duration.toSeconds() / 60.0);
    }
}
