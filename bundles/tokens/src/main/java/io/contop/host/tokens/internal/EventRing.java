package io.contop.host.tokens.internal;

import io.contop.host.api.DeviceEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The most recent device events, oldest first, dropping the oldest beyond a capacity. */
final class EventRing {
    private final int capacity;
    private final ArrayDeque<DeviceEvent> events = new ArrayDeque<>();

    EventRing(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(DeviceEvent event) {
        events.addLast(event);
        while (events.size() > capacity) {
            events.removeFirst();
        }
    }

    synchronized List<DeviceEvent> after(Instant since) {
        List<DeviceEvent> result = new ArrayList<>(events.size());
        for (DeviceEvent event : events) {
            if (since == null || event.timestamp().isAfter(since)) {
                result.add(event);
            }
        }
        return result;
    }
}
