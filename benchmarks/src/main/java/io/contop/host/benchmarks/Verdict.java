package io.contop.host.benchmarks;

/** Outcome of comparing a measured figure with its goal. */
public enum Verdict {
    MET("met"),
    MISSED("**missed**"),
    /** The figure has no goal; it explains another figure. */
    NO_GOAL("n/a"),
    /** The figure could not be measured in this run; the note gives the reason. */
    NOT_MEASURED("not measured"),
    /** Measuring failed; the note has the error. */
    ERROR("**error**");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Verdict of(boolean met) {
        return met ? MET : MISSED;
    }
}
