package io.contop.host.benchmarks.scenario;

import io.contop.host.benchmarks.Samples;

/**
 * The rule for "no measurable difference" between two latency distributions measured the same
 * way: the median may be at most 10% or 0.5 ms higher (whichever is larger), and the p95 at most
 * 25% or 1 ms higher.
 */
final class Comparison {
    static final String RULE = "Met when the median is at most 10% or 0.5 ms above the reference "
            + "(whichever is larger) and the p95 at most 25% or 1 ms above it.";

    private Comparison() {
    }

    static boolean noMeasurableDifference(Samples reference, Samples measured) {
        boolean median = measured.median() <= Math.max(reference.median() * 1.10, reference.median() + 0.5);
        boolean p95 = measured.percentile(95) <= Math.max(reference.percentile(95) * 1.25,
                reference.percentile(95) + 1.0);
        return median && p95;
    }
}
