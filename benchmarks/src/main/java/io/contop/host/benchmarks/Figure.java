package io.contop.host.benchmarks;

/**
 * The figures the benchmark reports, in table order: first those with a goal, then the figures
 * that explain them. Every figure gets a row in every run, with a value or with the reason it is
 * missing.
 */
public enum Figure {
    PAIR_HTTP("pair.http", "`POST /api/pair`, new permanent device, HTTP on loopback",
            "median ≤ 5 ms, p99 ≤ 20 ms"),
    QR_ENCODE("qr.encode", "QR payload + PNG, largest payload (706 characters)", "median ≤ 3 ms"),
    HANDSHAKE("webrtc.handshake", "signaling socket open → `contop` channel open (Java phone in a namespace)",
            "median ≤ 12 ms"),
    SESSION_MEMORY("webrtc.session_memory", "process memory per additional live session (20 sessions)",
            "≤ 250 KiB"),
    COLD_START("start.cold", "cold start of the distribution → `/health` returns 200", "≤ 1.5 s"),
    IDLE_MEMORY("memory.idle", "resident memory of the idle daemon", "≤ 128 MiB"),
    QR_VERSION("qr.version", "QR version for the largest payload", "≤ 18"),
    TOKENS_VALIDATE("tokens.validate", "`TokenStore.validate` of a stored token, 10,000 tokens vs 1 (JMH)",
            "no measurable difference"),
    TOKENS_SIGNALING("tokens.signaling_open",
            "signaling WebSocket upgrade with a valid token, 10,000 stored tokens vs empty store",
            "no measurable difference"),
    TOKENS_PAIR("tokens.pair_http", "`POST /api/pair`, 10,000 stored tokens vs empty store",
            "saves do not block requests: no measurable difference"),
    TOKENS_START("tokens.start", "cold start → `/health` 200 with 10,000 stored tokens", "none"),
    TAILSCALE_PAIR("paths.tailscale_hang", "`POST /api/pair`, hanging Tailscale CLI vs all paths healthy",
            "no measurable difference"),
    CYCLES("webrtc.cycles", "500 sequential connect / `session_end` cycles: memory and open sessions after",
            "back to the starting level"),
    PAIR_BURST("pair.burst", "`POST /api/pair`, 20 new devices back to back, no pause", "none"),
    QR_PNG("qr.png", "PNG writing alone, largest payload (JMH)", "none"),
    DTLS_POOL_HIT("dtls.pool_hit", "DTLS certificate issue, pool hit (JMH)", "none"),
    DTLS_COLD("dtls.cold", "DTLS certificate issue, cold RSA-2048 (JMH)", "none"),
    TOKENS_STORE_PAIR("tokens.store_pair",
            "`TokenStore.pair` of a new permanent device, saved to disk, 10,000 tokens vs 1 (JMH)", "none"),
    DTLS_RESTORE("dtls.restore", "restore one stored certificate from PEM, as start-up does per token (JMH)",
            "none");

    private final String id;
    private final String title;
    private final String goal;

    Figure(String id, String title, String goal) {
        this.id = id;
        this.title = title;
        this.goal = goal;
    }

    /** Returns the stable id that the results file and the smoke test use. */
    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    /** Returns the goal, or {@code none} for a figure that only explains others. */
    public String goal() {
        return goal;
    }
}
