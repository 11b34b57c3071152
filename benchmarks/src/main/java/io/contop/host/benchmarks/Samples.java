package io.contop.host.benchmarks;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * An immutable set of measurements with nearest-rank percentiles: the p-th percentile of n sorted
 * values is the value at rank ceil(p / 100 * n), so it is always one of the measurements.
 */
public final class Samples {
    private final double[] sorted;

    private Samples(double[] values) {
        this.sorted = values.clone();
        Arrays.sort(this.sorted);
    }

    public static Samples of(Collection<Double> values) {
        return new Samples(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static Samples of(double... values) {
        return new Samples(values);
    }

    public int count() {
        return sorted.length;
    }

    public boolean isEmpty() {
        return sorted.length == 0;
    }

    /** Returns the nearest-rank percentile; {@code p} is from 0 (exclusive) to 100. */
    public double percentile(double p) {
        requireSamples();
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], was " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    public double median() {
        return percentile(50);
    }

    public double min() {
        requireSamples();
        return sorted[0];
    }

    public double max() {
        requireSamples();
        return sorted[sorted.length - 1];
    }

    private void requireSamples() {
        if (sorted.length == 0) {
            throw new IllegalStateException("no samples");
        }
    }

    /** Formats median, p95 and p99 in milliseconds, such as {@code median 3.1 ms, p95 4.0 ms, p99 7.2 ms}. */
    public String describeMillis() {
        return String.format(Locale.ROOT, "median %s ms, p95 %s ms, p99 %s ms",
                format(median()), format(percentile(95)), format(percentile(99)));
    }

    /** Formats a number with three significant digits, without exponent. */
    public static String format(double value) {
        double magnitude = Math.abs(value);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (magnitude >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
