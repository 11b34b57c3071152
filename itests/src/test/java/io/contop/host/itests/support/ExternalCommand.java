package io.contop.host.itests.support;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived external program (such as {@code ip} or {@code ping}) to completion and
 * captures its output.
 *
 * <p>Stateless and thread-safe. A program that outlives its timeout is killed together with its
 * child processes.
 */
public final class ExternalCommand {

    /**
     * Exit status and decoded (UTF-8) output of a finished program.
     *
     * @param argv the command line that was run
     * @param exitCode the exit status, 0 for success
     * @param stdout everything the program wrote to standard output
     * @param stderr everything the program wrote to standard error
     */
    public record Result(List<String> argv, int exitCode, String stdout, String stderr) {

        /** Returns whether the program exited with status 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    private ExternalCommand() {
    }

    /**
     * Runs {@code argv} and waits for it to exit.
     *
     * @throws IllegalStateException when the program cannot be started, or does not exit within
     *     {@code timeout} (it is killed first)
     */
    public static Result run(Duration timeout, List<String> argv) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }

        CompletableFuture<String> stdout = readFully(process.getInputStream());
        CompletableFuture<String> stderr = readFully(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", argv) + " timed out after " + timeout);
            }
            return new Result(List.copyOf(argv), process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Failed to read the output of " + String.join(" ", argv), e.getCause());
        }
    }

    /**
     * Runs {@code argv}, waits up to 10 seconds, and returns its standard output.
     *
     * @throws IllegalStateException when the program exits with a non-zero status. The message
     *     starts with {@code what} and contains the program's standard error.
     */
    public static String runOrFail(String what, List<String> argv) {
        Result result = run(Duration.ofSeconds(10), argv);
        if (!result.succeeded()) {
            throw new IllegalStateException(what + " failed (exit " + result.exitCode() + "): "
                    + String.join(" ", argv) + ": " + result.stderr().strip());
        }
        return result.stdout();
    }

    private static CompletableFuture<String> readFully(InputStream in) {
        // One thread per stream, because the common pool must not block on a pipe.
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (in; ByteArrayOutputStream buffer = new ByteArrayOutputStream()) {
                in.transferTo(buffer);
                text.complete(buffer.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "external-command-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
