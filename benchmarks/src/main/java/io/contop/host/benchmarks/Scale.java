package io.contop.host.benchmarks;

import java.time.Duration;

/**
 * Iteration counts and pauses of one run. {@link #FULL} is the recorded benchmark; {@link #SMOKE}
 * runs every figure with tiny counts so that {@code mvn verify} checks the benchmark still works.
 * Smoke figures are not comparable with the goals.
 *
 * @param pairWarmup untimed pairings before the timed ones
 * @param pairSamples timed pairings per daemon
 * @param pairPause pause after each pairing, long enough for the certificate pool (4 ahead) to
 *     refill, so the figure is the steady state of a person pairing devices one at a time
 * @param burstSize pairings sent back to back for {@link Figure#PAIR_BURST}
 * @param signalingSamples timed signaling upgrades per daemon, after as many untimed ones
 * @param seededTokens permanent tokens written into {@code tokens.json} for the token store figures
 * @param coldStarts daemon starts timed for {@link Figure#COLD_START}
 * @param idleSettle time a fresh daemon is left alone before its memory is read
 * @param handshakeWarmup untimed phone sessions before the timed ones
 * @param handshakeSessions timed phone sessions for {@link Figure#HANDSHAKE}
 * @param concurrentSessions phone sessions held open together for {@link Figure#SESSION_MEMORY}
 * @param cycles connect and {@code session_end} cycles for {@link Figure#CYCLES}
 * @param memorySettle time the daemon is left alone before each memory reading of a WebRTC figure
 * @param memoryReadings {@code VmRSS} readings, 0.5 s apart, whose median is one memory reading
 * @param jmh the JMH run lengths
 */
public record Scale(String name, int pairWarmup, int pairSamples, Duration pairPause, int burstSize,
        int signalingSamples, int seededTokens, int coldStarts, Duration idleSettle, int handshakeWarmup,
        int handshakeSessions, int concurrentSessions, int cycles, Duration memorySettle, int memoryReadings,
        JmhScale jmh) {

    /**
     * JMH run lengths: forks (0 runs in this JVM), warm-up and measurement iterations, and the
     * time of each iteration.
     */
    public record JmhScale(int forks, int warmupIterations, Duration warmupTime, int measurementIterations,
            Duration measurementTime) {
    }

    public static final Scale FULL = new Scale("full", 10, 100, Duration.ofSeconds(1), 20, 200, 10_000, 7,
            Duration.ofSeconds(20), 10, 50, 20, 500, Duration.ofSeconds(5), 5,
            new JmhScale(2, 2, Duration.ofSeconds(1), 5, Duration.ofSeconds(1)));

    public static final Scale SMOKE = new Scale("smoke", 1, 5, Duration.ofMillis(50), 3, 5, 200, 1,
            Duration.ofSeconds(1), 1, 3, 2, 3, Duration.ofMillis(500), 1,
            new JmhScale(0, 1, Duration.ofMillis(100), 2, Duration.ofMillis(100)));

    public boolean isSmoke() {
        return this == SMOKE;
    }
}
