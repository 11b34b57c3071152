package io.contop.host.benchmarks.phone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.itests.phone.JavaPhone;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs many {@link JavaPhone} sessions in one JVM, normally inside a test network namespace, as
 * the load driver commands. One JVM for all sessions keeps a 500-cycle run from starting 500 JVMs.
 *
 * <p>Commands arrive on standard input, one JSON object per line:
 * <pre>
 * {"op":"start","session":"s1","args":["--signaling-url", ...]}   run JavaPhone with these options
 * {"op":"stop","session":"s1"}                                      interrupt that session's phone
 * {"op":"exit"}                                                     stop every session and exit
 * </pre>
 * Standard output carries one JSON object per line: {@code {"event":"fleet_ready"}} once, then
 * every event of every phone with {@code "session"} and {@code "t_ns"} added, and a final
 * {@code {"event":"exit","status":N}} per session. {@code t_ns} is {@link System#nanoTime()} when
 * the phone wrote the event, so differences between a session's events are exact to the
 * microsecond, whatever the pipe to the driver adds. End of input stops the fleet too.
 */
public final class PhoneFleet {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Map<String, Thread> phones = new ConcurrentHashMap<>();

    private PhoneFleet(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PhoneFleet fleet = new PhoneFleet(out);
        fleet.emit(JSON.createObjectNode().put("event", "fleet_ready"));
        try (BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = commands.readLine()) != null) {
                if (!fleet.handle(line)) {
                    break;
                }
            }
        }
        fleet.stopAll();
        out.flush();
        // webrtc-java's native threads would keep the JVM alive.
        System.exit(0);
    }

    /** Runs one command; returns false for {@code exit}. */
    private boolean handle(String line) {
        JsonNode command;
        try {
            command = JSON.readTree(line);
        } catch (IOException e) {
            System.err.println("PhoneFleet: ignoring a line that is not JSON");
            return true;
        }
        String op = command.path("op").asText();
        String session = command.path("session").asText();
        switch (op) {
            case "start" -> {
                List<String> arguments = new ArrayList<>();
                command.path("args").forEach(argument -> arguments.add(argument.asText()));
                start(session, arguments.toArray(String[]::new));
            }
            case "stop" -> {
                Thread phone = phones.get(session);
                if (phone != null) {
                    phone.interrupt();
                }
            }
            case "exit" -> {
                return false;
            }
            default -> System.err.println("PhoneFleet: unknown op " + op);
        }
        return true;
    }

    private void start(String session, String[] arguments) {
        Thread phone = new Thread(() -> {
            PrintStream events = new PrintStream(new TimestampedLines(session), true, StandardCharsets.UTF_8);
            int status = JavaPhone.EXIT_ERROR;
            try {
                status = JavaPhone.run(arguments, events);
            } finally {
                events.close();
                phones.remove(session);
                emit(JSON.createObjectNode().put("event", "exit").put("session", session).put("status", status)
                        .put("t_ns", System.nanoTime()));
            }
        }, "phone-" + session);
        phone.setDaemon(true);
        phones.put(session, phone);
        phone.start();
    }

    private void stopAll() {
        for (Thread phone : phones.values()) {
            phone.interrupt();
        }
        for (Thread phone : phones.values()) {
            try {
                phone.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void emit(ObjectNode event) {
        String line = event.toString();
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** Stamps each line a phone writes with the session and the time, and forwards it. */
    private final class TimestampedLines extends OutputStream {
        private final String session;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        TimestampedLines(String session) {
            this.session = session;
        }

        @Override
        public synchronized void write(int b) {
            if (b != '\n') {
                line.write(b);
                return;
            }
            long now = System.nanoTime();
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            ObjectNode event;
            try {
                JsonNode parsed = JSON.readTree(text);
                event = parsed instanceof ObjectNode object ? object
                        : JSON.createObjectNode().put("event", "output").put("text", text);
            } catch (IOException e) {
                event = JSON.createObjectNode().put("event", "output").put("text", text);
            }
            emit(event.put("session", session).put("t_ns", now));
        }

        @Override
        public synchronized void close() {
            if (line.size() > 0) {
                write('\n');
            }
        }
    }
}
