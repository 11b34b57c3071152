package io.contop.host.itests.phone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * Writes {@link JavaPhone}'s progress as one compact JSON object per line, each with an
 * {@code "event"} field. Thread-safe: WebRTC and WebSocket callbacks emit from their own threads,
 * and every line is written and flushed whole.
 */
final class PhoneEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    PhoneEvents(PrintStream out) {
        this.out = out;
    }

    /** Returns a new event object with its {@code "event"} field set, for the caller to fill and {@link #emit}. */
    ObjectNode create(String name) {
        return JSON.createObjectNode().put("event", name);
    }

    void emit(String name) {
        emit(create(name));
    }

    void emit(ObjectNode event) {
        String line = event.toString();
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** Parses {@code text} as JSON, or returns {@code null} when it is not valid JSON. */
    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
