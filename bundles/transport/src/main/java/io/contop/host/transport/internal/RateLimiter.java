package io.contop.host.transport.internal;

/** A token bucket: {@code burst} messages at once, refilled at {@code perSecond}. Not thread-safe. */
final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private double available;
    private long lastNanos;

    RateLimiter(double perSecond, double burst) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.available = burst;
        this.lastNanos = System.nanoTime();
    }

    /** Takes one message from the bucket; returns false when the bucket is empty. */
    boolean tryAcquire() {
        long now = System.nanoTime();
        available = Math.min(burst, available + (now - lastNanos) / 1e9 * perSecond);
        lastNanos = now;
        if (available >= 1) {
            available -= 1;
            return true;
        }
        return false;
    }
}
