package io.contop.host.benchmarks.scenario;

import io.contop.host.api.QrImage;
import io.contop.host.benchmarks.Figure;
import io.contop.host.benchmarks.Report;
import io.contop.host.benchmarks.Samples;
import io.contop.host.benchmarks.Scale;
import io.contop.host.benchmarks.Section;
import io.contop.host.benchmarks.Verdict;
import io.contop.host.benchmarks.fixture.LargestPayload;
import io.contop.host.dtls.internal.IdentityIssueBenchmark;
import io.contop.host.qr.internal.QrEncodeBenchmark;
import io.contop.host.qr.internal.ZxingQrEncoder;
import io.contop.host.tokens.internal.TokenStoreBenchmark;
import io.contop.host.tokens.internal.TokenStorePairBenchmark;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/** The in-process figures, measured with JMH: QR encoding, certificate issue, and token validation and pairing in the store. */
public final class JmhSection implements Section {
    private final Scale scale;

    public JmhSection(Scale scale) {
        this.scale = scale;
    }

    @Override
    public String name() {
        return "jmh";
    }

    @Override
    public List<Figure> figures() {
        return List.of(Figure.QR_ENCODE, Figure.QR_PNG, Figure.QR_VERSION, Figure.DTLS_POOL_HIT, Figure.DTLS_COLD,
                Figure.DTLS_RESTORE, Figure.TOKENS_VALIDATE, Figure.TOKENS_STORE_PAIR);
    }

    @Override
    public void run(Report report) throws RunnerException {
        recordQrVersion(report);
        String settings = settings();

        for (RunResult result : run(options(QrEncodeBenchmark.class.getName()))) {
            Statistics statistics = result.getPrimaryResult().getStatistics();
            if (method(result).equals("encodeLargestPayload")) {
                double medianMillis = millis(result, statistics.getPercentile(50));
                report.record(Figure.QR_ENCODE, percentiles(result), count(statistics),
                        Verdict.of(medianMillis <= 3.0), "Whole `ZxingQrEncoder.encode`: JSON, ZXing matrix and "
                                + "PNG. " + settings);
            } else {
                report.record(Figure.QR_PNG, percentiles(result), count(statistics), Verdict.NO_GOAL,
                        "`PngWriter.write` alone, part of `qr.encode`. " + settings);
            }
        }

        for (RunResult result : run(options(IdentityIssueBenchmark.class.getName()))) {
            Statistics statistics = result.getPrimaryResult().getStatistics();
            switch (method(result)) {
                case "issueFromPool" -> report.record(Figure.DTLS_POOL_HIT, percentiles(result), count(statistics),
                        Verdict.NO_GOAL, "`PooledIdentityProvider.issue` with a full pool of 4. " + settings);
                case "issueWithoutPool" -> report.record(Figure.DTLS_COLD, percentiles(result), count(statistics),
                        Verdict.NO_GOAL, "`issue` with `pool.size=0`: what a pairing waits for once the pool of 4 "
                                + "is empty, and what start-up spends per stored token that has no certificate. "
                                + settings);
                case "restoreStored" -> report.record(Figure.DTLS_RESTORE, percentiles(result), count(statistics),
                        Verdict.NO_GOAL, "`CertificateFactory.restore`: PEM parsing and the key check. " + settings);
                default -> throw new IllegalStateException("unexpected benchmark " + result.getParams().getBenchmark());
            }
        }

        String seeded = Integer.toString(scale.seededTokens());
        recordValidation(report, run(options(TokenStoreBenchmark.class.getName())
                .param("storedTokens", "1", seeded)), settings);
        recordStorePairing(report, run(options(TokenStorePairBenchmark.class.getName())
                .param("storedTokens", "1", seeded)), settings);
    }

    private void recordStorePairing(Report report, Collection<RunResult> results, String settings) {
        RunResult singleToken = result(results, "1");
        RunResult seededStore = result(results, Integer.toString(scale.seededTokens()));
        report.record(Figure.TOKENS_STORE_PAIR, String.format(Locale.ROOT, "%,d tokens: %s; 1 token: %s",
                        scale.seededTokens(), percentiles(seededStore), percentiles(singleToken)),
                count(seededStore.getPrimaryResult().getStatistics()) + " + "
                        + count(singleToken.getPrimaryResult().getStatistics()),
                Verdict.NO_GOAL, "The store's part of `POST /api/pair`: the new token is in memory at once, and "
                        + "the returned stage completes after the whole `tokens.json` is written and forced to disk. "
                        + "Certificates come ready from a stub provider. Each iteration reloads the generated file "
                        + "(one shared certificate). " + settings);
    }

    private static RunResult result(Collection<RunResult> results, String storedTokens) {
        for (RunResult result : results) {
            if (result.getParams().getParam("storedTokens").equals(storedTokens)) {
                return result;
            }
        }
        throw new IllegalStateException("no result with " + storedTokens + " stored token(s)");
    }

    private void recordQrVersion(Report report) {
        QrImage image = new ZxingQrEncoder().encode(LargestPayload.build());
        if (image.payloadJson().length() != LargestPayload.JSON_LENGTH) {
            throw new IllegalStateException("the largest payload has " + image.payloadJson().length()
                    + " characters, expected " + LargestPayload.JSON_LENGTH);
        }
        report.record(Figure.QR_VERSION, "version " + image.version() + " (" + image.modules().length + " × "
                        + image.modules().length + " modules, PNG " + image.png().length + " bytes)", "1",
                Verdict.of(image.version() <= 18), "Error correction level L, byte mode.");
    }

    /**
     * Records validation with many tokens against one token; "no measurable difference" means
     * the two 99.9% confidence intervals of {@code validateStored} overlap.
     */
    private void recordValidation(Report report, Collection<RunResult> results, String settings) {
        Result<?> stored = score(results, "validateStored", "1");
        Result<?> storedMany = score(results, "validateStored", Integer.toString(scale.seededTokens()));
        Result<?> unknown = score(results, "validateUnknown", "1");
        Result<?> unknownMany = score(results, "validateUnknown", Integer.toString(scale.seededTokens()));
        double[] oneInterval = stored.getScoreConfidence();
        double[] manyInterval = storedMany.getScoreConfidence();
        boolean overlap = oneInterval[0] <= manyInterval[1] && manyInterval[0] <= oneInterval[1];
        String measured = String.format(Locale.ROOT, "%,d tokens: %s; 1 token: %s", scale.seededTokens(),
                interval(storedMany), interval(stored));
        String note = String.format(Locale.ROOT, "Average time of `validate` on a stored token, ± the 99.9%% "
                + "confidence interval; met when the two intervals overlap. An unknown token: %s with %,d tokens, "
                + "%s with 1. Store loaded from a generated `tokens.json` (one shared certificate). %s",
                interval(unknownMany), scale.seededTokens(), interval(unknown), settings);
        report.record(Figure.TOKENS_VALIDATE, measured, count(storedMany.getStatistics()) + " + "
                + count(stored.getStatistics()) + " iterations", Verdict.of(overlap), note);
    }

    private static Result<?> score(Collection<RunResult> results, String method, String storedTokens) {
        for (RunResult result : results) {
            if (method(result).equals(method) && result.getParams().getParam("storedTokens").equals(storedTokens)) {
                return result.getPrimaryResult();
            }
        }
        throw new IllegalStateException("the token store benchmark has no result for " + method + " with "
                + storedTokens + " token(s)");
    }

    private static String interval(Result<?> result) {
        return Samples.format(result.getScore()) + " ± " + Samples.format(result.getScoreError()) + " ns";
    }

    private ChainedOptionsBuilder options(String benchmarkClass) {
        Scale.JmhScale jmh = scale.jmh();
        return new OptionsBuilder()
                .include(java.util.regex.Pattern.quote(benchmarkClass) + "\\.")
                .forks(jmh.forks())
                .warmupIterations(jmh.warmupIterations())
                .warmupTime(TimeValue.milliseconds(jmh.warmupTime().toMillis()))
                .measurementIterations(jmh.measurementIterations())
                .measurementTime(TimeValue.milliseconds(jmh.measurementTime().toMillis()))
                .jvmArgsAppend("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
                .shouldFailOnError(true)
                .verbosity(scale.isSmoke() ? VerboseMode.SILENT : VerboseMode.NORMAL);
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    private String settings() {
        Scale.JmhScale jmh = scale.jmh();
        return String.format(Locale.ROOT, "JMH: %d fork(s), %d × %d ms warm-up, %d × %d ms measurement.",
                jmh.forks(), jmh.warmupIterations(), jmh.warmupTime().toMillis(), jmh.measurementIterations(),
                jmh.measurementTime().toMillis());
    }

    private static String method(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Formats a SampleTime result's median, p95 and p99, in milliseconds from a median of 1 ms up, else in µs. */
    private static String percentiles(RunResult result) {
        Statistics statistics = result.getPrimaryResult().getStatistics();
        double medianMillis = millis(result, statistics.getPercentile(50));
        double scale = medianMillis >= 1 ? 1 : 1000;
        String unit = medianMillis >= 1 ? "ms" : "µs";
        return String.format(Locale.ROOT, "median %s %s, p95 %s %s, p99 %s %s",
                Samples.format(medianMillis * scale), unit,
                Samples.format(millis(result, statistics.getPercentile(95)) * scale), unit,
                Samples.format(millis(result, statistics.getPercentile(99)) * scale), unit);
    }

    /** Converts a score in the result's unit to milliseconds. */
    private static double millis(RunResult result, double value) {
        TimeUnit unit = result.getParams().getTimeUnit();
        return value * unit.toNanos(1) / 1e6;
    }

    private static String count(Statistics statistics) {
        return String.format(Locale.ROOT, "%,d", statistics.getN());
    }
}
