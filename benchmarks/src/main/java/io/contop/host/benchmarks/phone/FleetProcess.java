package io.contop.host.benchmarks.phone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.EventLog;
import io.contop.host.itests.support.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The driver's side of a {@link PhoneFleet}: starts it as a child JVM inside a network namespace
 * (with {@code ip netns exec}), starts phone sessions in it and hands each session's events to an
 * {@link EventLog}. Thread-safe.
 */
public final class FleetProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDERR_LINES_KEPT = 200;

    private final Process process;
    private final OutputStream commands;
    private final EventLog fleetEvents;
    private final Map<String, EventLog> sessions = new ConcurrentHashMap<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();

    private FleetProcess(Process process) {
        this.process = process;
        this.commands = process.getOutputStream();
        this.fleetEvents = new EventLog("PhoneFleet", this::stderr);
    }

    /**
     * Starts a fleet inside {@code namespace} with this JVM's class path and waits until it is ready.
     *
     * @throws IllegalStateException when it cannot start or is not ready within 60 seconds
     */
    public static FleetProcess start(NetworkNamespace namespace) {
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss512k", "-cp", classPath(), PhoneFleet.class.getName());
        Process process;
        try {
            process = new ProcessBuilder(namespace.command(java.toArray(String[]::new))).start();
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the phone fleet in " + namespace.name() + ": " + e, e);
        }
        FleetProcess fleet = new FleetProcess(process);
        fleet.read(process.getInputStream(), fleet::onEventLine, "fleet-stdout");
        fleet.read(process.getErrorStream(), fleet::onStderrLine, "fleet-stderr");
        process.onExit().thenRun(() -> fleet.endAll("the phone fleet exited with status " + process.exitValue()));
        fleet.fleetEvents.await("fleet_ready", event -> true, Duration.ofSeconds(60));
        return fleet;
    }

    /** Starts a phone session named {@code session} with {@code options}; its events go to the returned log. */
    public EventLog startSession(String session, PhoneOptions options) {
        EventLog log = new EventLog("phone session " + session, this::stderr);
        if (sessions.putIfAbsent(session, log) != null) {
            throw new IllegalArgumentException("session " + session + " already exists");
        }
        ObjectNode command = JSON.createObjectNode().put("op", "start").put("session", session);
        ArrayNode arguments = command.putArray("args");
        options.toArguments().forEach(arguments::add);
        send(command);
        return log;
    }

    /** Interrupts a session's phone, which then closes without {@code session_end}. */
    public void stopSession(String session) {
        send(JSON.createObjectNode().put("op", "stop").put("session", session));
    }

    /** Forgets a finished session, so its events no longer take memory. */
    public void forget(String session) {
        sessions.remove(session);
    }

    /**
     * Waits for a session's {@code exit} event and returns the phone's exit status.
     *
     * @throws AssertionError when the session does not finish within {@code timeout}
     */
    public static int awaitExit(EventLog session, Duration timeout) {
        return session.await("exit", event -> true, timeout).path("status").asInt(-1);
    }

    /** Returns the last lines (at most 200) the fleet wrote to standard error. */
    public String stderr() {
        synchronized (stderrTail) {
            return "Standard error of the phone fleet (last lines):\n" + String.join("\n", stderrTail);
        }
    }

    /** Stops every session and the fleet; kills it when it has not exited 20 seconds later. */
    @Override
    public void close() {
        try {
            send(JSON.createObjectNode().put("op", "exit"));
        } catch (UncheckedIOException alreadyGone) {
            // The process has exited; nothing to stop.
        }
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void send(ObjectNode command) {
        try {
            commands.write((command.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not send a command to the phone fleet. " + stderr(), e);
        }
    }

    private void onEventLine(String line) {
        JsonNode event;
        try {
            event = JSON.readTree(line);
        } catch (IOException e) {
            onStderrLine("[stdout] " + line);
            return;
        }
        if (event == null || !event.isObject()) {
            onStderrLine("[stdout] " + line);
            return;
        }
        String session = event.path("session").asText(null);
        EventLog log = session == null ? fleetEvents : sessions.get(session);
        if (log != null) {
            log.add(event);
            if ("exit".equals(event.path("event").asText())) {
                log.end("the phone session finished with status " + event.path("status").asInt());
            }
        }
    }

    private void onStderrLine(String line) {
        synchronized (stderrTail) {
            stderrTail.addLast(line);
            if (stderrTail.size() > STDERR_LINES_KEPT) {
                stderrTail.removeFirst();
            }
        }
    }

    private void endAll(String reason) {
        fleetEvents.end(reason);
        for (EventLog log : new ArrayList<>(sessions.values())) {
            log.end(reason);
        }
    }

    private void read(InputStream stream, Consumer<String> consumer, String threadName) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    consumer.accept(line);
                }
            } catch (IOException e) {
                onStderrLine("[driver] reading " + threadName + " failed: " + e);
            }
        }, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    /** Returns the class path for the child JVM, preferring the real one when Surefire or Failsafe runs this JVM. */
    private static String classPath() {
        String testClassPath = System.getProperty("surefire.test.class.path");
        return testClassPath != null && !testClassPath.isBlank() ? testClassPath : System.getProperty("java.class.path");
    }
}
