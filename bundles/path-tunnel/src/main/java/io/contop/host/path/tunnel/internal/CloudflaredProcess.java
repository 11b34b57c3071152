package io.contop.host.path.tunnel.internal;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of cloudflared. Standard output and standard error are read together on a daemon
 * thread. The first box row with a quick tunnel URL completes {@link #url()}, and the last
 * {@value #KEPT_LINES} lines are kept to explain a failure. {@link #exited()} completes with the
 * exit status once the process has exited and its output has been read.
 */
final class CloudflaredProcess {
    static final int KEPT_LINES = 50;
    /** Longer lines are cut. cloudflared's own lines are far shorter. */
    static final int MAX_LINE_LENGTH = 4096;
    /** Time to keep reading after the process exited, for output from a child that keeps the pipe open. */
    private static final Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(CloudflaredProcess.class);

    private final Process process;
    private final Deque<String> recentLines = new ArrayDeque<>();
    private final CompletableFuture<String> url = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final Thread reader;

    private CloudflaredProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readOutput, "contop-cloudflared-output-" + process.pid());
        reader.setDaemon(true);
    }

    /**
     * Starts {@code command} with exactly {@code environment} (nothing is inherited) in
     * {@code workingDirectory}.
     *
     * @throws IOException when the program cannot be started, for example because it is not installed
     */
    static CloudflaredProcess launch(List<String> command, Map<String, String> environment, Path workingDirectory)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().clear();
        builder.environment().putAll(environment);
        CloudflaredProcess started = new CloudflaredProcess(builder.start());
        started.reader.start();
        Thread waiter = new Thread(started::awaitExit, "contop-cloudflared-exit-" + started.pid());
        waiter.setDaemon(true);
        waiter.start();
        return started;
    }

    long pid() {
        return process.pid();
    }

    /** Returns a future completed with {@code https://<host>} when the quick tunnel's URL is printed. */
    CompletableFuture<String> url() {
        return url;
    }

    /** Returns a future completed with the exit status after the process has exited. */
    CompletableFuture<Integer> exited() {
        return exited;
    }

    /** Returns the line that best explains a failure, or empty when the process printed nothing. */
    Optional<String> failureReason() {
        List<String> lines;
        synchronized (recentLines) {
            lines = new ArrayList<>(recentLines);
        }
        return CloudflaredOutput.failureReason(lines);
    }

    /**
     * Stops the process and every process it started: SIGTERM first, so that cloudflared can
     * unregister the tunnel, then SIGKILL for whatever is still running after {@code grace}.
     * Blocks for at most about {@code grace} plus one second.
     *
     * <p>NOTE: a child that the process starts after its descendants are listed here survives.
     * cloudflared starts a new process to update itself, which {@code --no-autoupdate} turns off.
     */
    void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("cloudflared (pid {}) did not exit within {} ms of SIGTERM; killing it", pid(),
                        grace.toMillis());
                process.destroyForcibly();
                process.waitFor(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle descendant : descendants) {
            if (descendant.isAlive()) {
                descendant.destroyForcibly();
            }
        }
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = readLine(in)) != null) {
                onLine(line);
            }
        } catch (IOException e) {
            LOG.debug("Reading cloudflared's output ended: {}", e.toString());
        }
    }

    private void onLine(String line) {
        LOG.debug("cloudflared: {}", line);
        synchronized (recentLines) {
            if (recentLines.size() == KEPT_LINES) {
                recentLines.removeFirst();
            }
            recentLines.addLast(line);
        }
        if (!url.isDone()) {
            CloudflaredOutput.tunnelUrl(line).ifPresent(url::complete);
        }
    }

    /** Reads one line, cut to {@link #MAX_LINE_LENGTH} characters, or returns null at the end of the stream. */
    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder line = new StringBuilder();
        int next;
        while ((next = in.read()) >= 0) {
            if (next == '\n') {
                return stripCarriageReturn(line);
            }
            if (line.length() < MAX_LINE_LENGTH) {
                line.append((char) next);
            }
        }
        return line.length() == 0 ? null : stripCarriageReturn(line);
    }

    private static String stripCarriageReturn(StringBuilder line) {
        int length = line.length();
        return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
    }

    private void awaitExit() {
        try {
            int status = process.waitFor();
            reader.join(OUTPUT_DRAIN_TIMEOUT.toMillis());
            exited.complete(status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
