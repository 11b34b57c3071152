package io.contop.host.benchmarks;

import io.contop.host.benchmarks.daemon.Workspace;
import io.contop.host.benchmarks.scenario.JmhSection;
import io.contop.host.benchmarks.scenario.PairingSection;
import io.contop.host.benchmarks.scenario.PathsSection;
import io.contop.host.benchmarks.scenario.StartSection;
import io.contop.host.benchmarks.scenario.WebRtcSection;
import io.contop.host.itests.support.DaemonProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Runs the benchmark and writes its table as Markdown. In-process figures use JMH; end-to-end
 * figures start the built distribution ({@code distribution/target/contop-host}, or the
 * {@code contop.distribution} system property) as processes and drive it from 127.0.0.1 and from
 * phones in a network namespace, so the WebRTC figures need root.
 */
public final class BenchmarkMain {
    static final String USAGE = String.join("\n",
            "Usage: BenchmarkMain [--smoke] [--only SECTION,...] [--output FILE] [--work DIR]",
            "  --smoke          tiny iteration counts: checks that every figure can be measured (about a minute)",
            "  --only SECTIONS  run only these sections: jmh, start, pairing, paths, webrtc (default all)",
            "  --output FILE    where to write the Markdown table (default target/benchmark-results.md,",
            "                   or target/benchmark-smoke.md with --smoke)",
            "  --work DIR       scratch directory, emptied first and deleted at the end (default target/benchmark-work)");

    private BenchmarkMain() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("benchmark: " + e.getMessage() + "\n" + USAGE);
            status = 2;
        } catch (IOException e) {
            System.err.println("benchmark: " + e);
            status = 1;
        }
        // webrtc-java's native threads in this JVM would keep it alive.
        System.exit(status);
    }

    /**
     * Runs the sections and writes the results file.
     *
     * @return 0 when every figure was measured, 1 when some figure has an error row
     * @throws IllegalArgumentException on an unknown option or section
     */
    public static int run(String[] args) throws IOException {
        Options options = Options.parse(args);
        Report report = new Report(MachineInfo.collect(), options.scale().isSmoke()
                ? "smoke (tiny counts; figures are not comparable with the goals)" : "full",
                System.getProperty("contop.benchmark.revision", "unknown"));

        try (Workspace workspace = Workspace.create(options.work(), DaemonProcess.distribution())) {
            for (Section section : sections(options.scale(), workspace)) {
                if (options.sections().isEmpty() || options.sections().contains(section.name())) {
                    runSection(section, report);
                }
            }
        }

        String page = report.toMarkdown();
        Files.createDirectories(options.output().toAbsolutePath().getParent());
        Files.writeString(options.output(), page, StandardCharsets.UTF_8);
        System.out.println(page);
        System.out.println("Written to " + options.output().toAbsolutePath());
        return report.hasErrors() ? 1 : 0;
    }

    static List<Section> sections(Scale scale, Workspace workspace) {
        return List.of(new JmhSection(scale), new StartSection(scale, workspace), new PairingSection(scale, workspace),
                new PathsSection(scale, workspace), new WebRtcSection(scale, workspace));
    }

    /** Runs one section; when it fails, each of its figures without a row gets the error. */
    private static void runSection(Section section, Report report) {
        System.err.println("benchmark: section " + section.name());
        try {
            section.run(report);
        } catch (Exception | AssertionError e) {
            String message = e.toString().lines().limit(3).reduce((a, b) -> a + " " + b).orElse(e.toString());
            System.err.println("benchmark: section " + section.name() + " failed: " + e);
            e.printStackTrace();
            for (Figure figure : section.figures()) {
                report.recordErrorIfAbsent(figure, "Section " + section.name() + " failed: " + message);
            }
        }
    }

    /** The parsed command line. */
    record Options(Scale scale, Set<String> sections, Path output, Path work) {
        static Options parse(String[] args) {
            Scale scale = Scale.FULL;
            Set<String> sections = Set.of();
            Path output = null;
            Path work = Path.of("target", "benchmark-work");
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--smoke" -> scale = Scale.SMOKE;
                    case "--only" -> sections = Set.of(value(args, ++i, "--only").split(","));
                    case "--output" -> output = Path.of(value(args, ++i, "--output"));
                    case "--work" -> work = Path.of(value(args, ++i, "--work"));
                    default -> throw new IllegalArgumentException("Unknown option: " + args[i]);
                }
            }
            List<String> known = new ArrayList<>();
            BenchmarkMain.sections(scale, null).forEach(section -> known.add(section.name()));
            for (String section : sections) {
                if (!known.contains(section)) {
                    throw new IllegalArgumentException("Unknown section " + section + "; sections are " + known);
                }
            }
            if (output == null) {
                output = Path.of("target", scale.isSmoke() ? "benchmark-smoke.md" : "benchmark-results.md");
            }
            return new Options(scale, sections, output, work);
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException("Missing value for " + option);
            }
            return args[index];
        }
    }
}
