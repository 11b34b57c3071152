package io.contop.host.itests.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The JSON events a phone reported, in arrival order, for tests to wait on.
 *
 * <p>{@link #await} consumes the earliest matching event that no earlier {@code await} returned,
 * so a test may wait for events in any order without missing one that arrived early. Thread-safe:
 * one thread adds events while test threads wait.
 */
public final class EventLog {

    private final String source;
    private final Supplier<String> diagnostics;
    private final List<JsonNode> all = new ArrayList<>();
    private final List<JsonNode> unconsumed = new ArrayList<>();
    private String endReason;

    /**
     * @param source the phone's name in failure messages, for example "JavaPhone in ctp123-1"
     * @param diagnostics supplies extra text for failure messages, such as the tail of the phone's
     *     standard error. It is called only when an {@code await} fails.
     */
    public EventLog(String source, Supplier<String> diagnostics) {
        this.source = source;
        this.diagnostics = diagnostics;
    }

    /** Appends an event and wakes the waiting threads. */
    public synchronized void add(JsonNode event) {
        all.add(event);
        unconsumed.add(event);
        notifyAll();
    }

    /**
     * Records that no more events will arrive, for example because the phone exited, so that
     * waiting threads fail at once instead of at their timeout.
     */
    public synchronized void end(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
        notifyAll();
    }

    /** Returns all events received so far, consumed or not. */
    public synchronized List<JsonNode> all() {
        return List.copyOf(all);
    }

    /**
     * Waits for an event whose {@code "event"} field is {@code name} and that {@code filter}
     * accepts, consumes it and returns it.
     *
     * @throws AssertionError when no such event arrives within {@code timeout}, or the log ends
     *     first. The message lists every event received and the diagnostics.
     */
    public JsonNode await(String name, Predicate<JsonNode> filter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                JsonNode match = takeFirst(name, filter);
                if (match != null) {
                    return match;
                }
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (endReason != null || remainingMillis <= 0) {
                    String why = endReason != null ? endReason : "timed out after " + timeout.toMillis() + " ms";
                    throw new AssertionError(source + ": no matching '" + name + "' event (" + why + ").\n"
                            + "Events received: " + all + "\n" + diagnostics.get());
                }
                try {
                    wait(remainingMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(source + ": interrupted while waiting for '" + name + "'", e);
                }
            }
        }
    }

    private JsonNode takeFirst(String name, Predicate<JsonNode> filter) {
        Iterator<JsonNode> iterator = unconsumed.iterator();
        while (iterator.hasNext()) {
            JsonNode event = iterator.next();
            if (name.equals(event.path("event").asText()) && filter.test(event)) {
                iterator.remove();
                return event;
            }
        }
        return null;
    }
}
