package io.contop.host.itests.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.JavaPhone;
import io.contop.host.itests.phone.PhoneOptions;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A running {@link JavaPhone}, normally a child JVM inside a {@link NetworkNamespace}, whose JSON
 * events a test waits on.
 *
 * <p>{@link #start} runs {@code ip netns exec <namespace> <java> -cp <this JVM's class path>
 * io.contop.host.itests.phone.JavaPhone <options>}. {@link #startInProcess} runs the same phone on
 * a thread of the test JVM, in the root network namespace, for a quick smoke test against a
 * daemon on loopback.
 *
 * <p>Thread-safe. {@link #close()} ends the phone (destroying the process, or interrupting the
 * thread) and may be called more than once.
 */
public final class PhoneProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STDERR_LINES_KEPT = 200;

    private final String description;
    private final Process process;
    private final Thread phoneThread;
    private final CompletableFuture<Integer> exitStatus = new CompletableFuture<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final EventLog events;

    private PhoneProcess(String description, Process process, Thread phoneThread) {
        this.description = description;
        this.process = process;
        this.phoneThread = phoneThread;
        this.events = new EventLog(description, this::diagnostics);
    }

    /**
     * Starts the phone as a child JVM inside {@code namespace}.
     *
     * @throws IllegalStateException when the process cannot be started
     */
    public static PhoneProcess start(NetworkNamespace namespace, PhoneOptions options) {
        List<String> javaCommand = new ArrayList<>();
        javaCommand.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        javaCommand.add("-cp");
        javaCommand.add(testClassPath());
        javaCommand.add(JavaPhone.class.getName());
        javaCommand.addAll(options.toArguments());
        List<String> command = namespace.command(javaCommand.toArray(String[]::new));

        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start JavaPhone in " + namespace.name() + ": " + e.getMessage(), e);
        }
        PhoneProcess phone = new PhoneProcess("JavaPhone in " + namespace.name(), process, null);
        // The event log ends once standard output is drained and the exit status is known.
        phone.readLines(process.getInputStream(), phone::onStdoutLine, "phone-stdout",
                () -> phone.exitStatus.thenAccept(status -> phone.events.end("the phone exited with status " + status)));
        phone.readLines(process.getErrorStream(), phone::onStderrLine, "phone-stderr", () -> { });
        process.onExit().thenAccept(exited -> phone.exitStatus.complete(exited.exitValue()));
        return phone;
    }

    /**
     * Starts the phone on a new thread of this JVM, in the root network namespace, for a quick
     * smoke test without a namespace.
     *
     * <p>NOTE: in the root namespace webrtc-java gathers ICE candidates on every interface of the
     * machine, not only loopback, so connectivity checks may use the machine's LAN address. Tests
     * that must keep traffic on addresses they created use {@link #start} instead.
     */
    public static PhoneProcess startInProcess(PhoneOptions options) {
        String[] args = options.toArguments().toArray(String[]::new);
        PhoneProcess[] holder = new PhoneProcess[1];
        Thread thread = new Thread(() -> {
            PhoneProcess phone = holder[0];
            PrintStream out = new PrintStream(new LineSplitter(phone::onStdoutLine), true, StandardCharsets.UTF_8);
            int status = JavaPhone.EXIT_ERROR;
            try {
                status = JavaPhone.run(args, out);
            } finally {
                out.close();
                phone.exitStatus.complete(status);
            }
        }, "java-phone");
        thread.setDaemon(true);
        PhoneProcess phone = new PhoneProcess("JavaPhone in this JVM", null, thread);
        holder[0] = phone;
        phone.exitStatus.thenAccept(status -> phone.events.end("the phone finished with exit status " + status));
        thread.start();
        return phone;
    }

    /**
     * Waits for the next unconsumed event named {@code event}, consumes it and returns it.
     *
     * @throws AssertionError on timeout or when the phone exits first. The message lists the
     *     events received and the end of the phone's standard error
     */
    public JsonNode awaitEvent(String event, Duration timeout) {
        return events.await(event, node -> true, timeout);
    }

    /** Like {@link #awaitEvent(String, Duration)}, for the next event of that name that {@code filter} accepts. */
    public JsonNode awaitEvent(String event, Predicate<JsonNode> filter, Duration timeout) {
        return events.await(event, filter, timeout);
    }

    /** Returns every event received so far, in arrival order. */
    public List<JsonNode> events() {
        return events.all();
    }

    /**
     * Waits for the phone to finish and returns its exit status.
     *
     * @throws AssertionError when it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            return exitStatus.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(description + " still running after " + timeout.toMillis() + " ms.\n"
                    + "Events received: " + events.all() + "\n" + diagnostics());
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(description + ": interrupted while waiting for exit", e);
        }
    }

    /** Returns the last lines (at most 200) that the phone wrote to standard error. */
    public String stderr() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    /** Ends the phone: destroys the process and its children, or interrupts the in-JVM thread. */
    @Override
    public void close() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (phoneThread != null) {
            phoneThread.interrupt();
            try {
                phoneThread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return description;
    }

    private void onStdoutLine(String line) {
        try {
            JsonNode event = JSON.readTree(line);
            if (event != null && event.isObject() && event.has("event")) {
                events.add(event);
                return;
            }
        } catch (JsonProcessingException e) {
            // Not an event, because native code may print to standard output too. Keep the line with stderr.
        }
        onStderrLine("[stdout] " + line);
    }

    private void onStderrLine(String line) {
        synchronized (stderrTail) {
            stderrTail.addLast(line);
            if (stderrTail.size() > STDERR_LINES_KEPT) {
                stderrTail.removeFirst();
            }
        }
    }

    private void readLines(InputStream stream, Consumer<String> consumer, String threadName, Runnable atEnd) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    consumer.accept(line);
                }
            } catch (IOException e) {
                onStderrLine("[harness] reading " + threadName + " failed: " + e);
            }
            atEnd.run();
        }, threadName);
        reader.setDaemon(true);
        reader.start();
    }

    private String diagnostics() {
        return "Standard error of " + description + " (last lines):\n" + stderr();
    }

    /**
     * Returns the class path for the child JVM. Surefire may start this JVM with a manifest-only
     * jar and put the real class path in {@code surefire.test.class.path}, so that is preferred.
     */
    private static String testClassPath() {
        String surefirePath = System.getProperty("surefire.test.class.path");
        if (surefirePath != null && !surefirePath.isBlank()) {
            return surefirePath;
        }
        return System.getProperty("java.class.path");
    }

    /** An output stream that passes each complete UTF-8 line, without its line terminator, to a consumer. */
    private static final class LineSplitter extends OutputStream {
        private final Consumer<String> consumer;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(Consumer<String> consumer) {
            this.consumer = consumer;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                consumer.accept(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void close() {
            if (line.size() > 0) {
                write('\n');
            }
        }
    }
}
