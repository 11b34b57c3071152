package io.contop.host.path.tailscale.internal;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code tailscale ip -4} with a hard timeout and extracts the host's Tailscale IPv4 address
 * from its output. A run that outlives the timeout is killed together with its child processes.
 * Instances are stateless and thread-safe.
 */
final class TailscaleCli {
    /** Output beyond this many bytes is read and dropped, because the address is on one of the first lines. */
    static final int MAX_OUTPUT_BYTES = 64 * 1024;
    private static final Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofMillis(500);

    /** Category of a run's outcome. */
    enum Status {
        /** Exit status 0 and an address in 100.64.0.0/10 on one of the lines. */
        FOUND,
        /** Exit status 0 but no line is an address in 100.64.0.0/10. */
        NO_ADDRESS,
        /** Non-zero exit status, for example when Tailscale is stopped or logged out. */
        FAILED,
        /** The program did not exit within the timeout and was killed. */
        TIMED_OUT,
        /** The program could not be started, usually because it is not installed. */
        NOT_RUNNABLE
    }

    /**
     * The outcome of one run.
     *
     * @param address the Tailscale IPv4 address, present only for {@link Status#FOUND}
     * @param status how the run ended
     * @param detail a short description for the log, such as the exit status and last output line
     */
    record Result(Optional<String> address, Status status, String detail) {
    }

    private final String binary;
    private final Duration timeout;

    TailscaleCli(String binary, Duration timeout) {
        this.binary = binary;
        this.timeout = timeout;
    }

    /** Runs {@code <binary> ip -4} and waits at most the timeout for it to exit. */
    Result run() {
        ProcessBuilder builder = new ProcessBuilder(binary, "ip", "-4")
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(Optional.empty(), Status.NOT_RUNNABLE, e.getMessage());
        }

        OutputCollector output = new OutputCollector(process.getInputStream());
        boolean exited;
        try {
            exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            return new Result(Optional.empty(), Status.TIMED_OUT, "interrupted while waiting; killed");
        }
        if (!exited) {
            killTree(process);
            return new Result(Optional.empty(), Status.TIMED_OUT,
                    "no exit within " + timeout.toMillis() + " ms; killed");
        }

        String text = output.await(OUTPUT_DRAIN_TIMEOUT);
        int exitStatus = process.exitValue();
        if (exitStatus != 0) {
            return new Result(Optional.empty(), Status.FAILED,
                    "exit status " + exitStatus + lastLineSuffix(text));
        }
        Optional<String> address = parseAddress(text);
        if (address.isEmpty()) {
            return new Result(address, Status.NO_ADDRESS,
                    "printed no address in 100.64.0.0/10" + lastLineSuffix(text));
        }
        return new Result(address, Status.FOUND, "exit status 0");
    }

    /**
     * Returns the first line of {@code output} that, without surrounding white space, is an IPv4
     * address inside 100.64.0.0/10. Other lines (IPv6 addresses, warnings, blank lines) are skipped.
     */
    static Optional<String> parseAddress(String output) {
        for (String line : output.split("\\R")) {
            String candidate = line.strip();
            if (isTailscaleAddress(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns whether {@code text} is a dotted-decimal IPv4 address (no leading zeros) inside
     * 100.64.0.0/10, the range Tailscale assigns addresses from.
     */
    static boolean isTailscaleAddress(String text) {
        if (!text.matches("(0|[1-9]\\d{0,2})(\\.(0|[1-9]\\d{0,2})){3}")) {
            return false;
        }
        String[] parts = text.split("\\.");
        int[] octets = new int[4];
        for (int i = 0; i < 4; i++) {
            octets[i] = Integer.parseInt(parts[i]);
            if (octets[i] > 255) {
                return false;
            }
        }
        return octets[0] == 100 && (octets[1] & 0xc0) == 64;
    }

    /**
     * Kills {@code process} and every process it started. The descendants are listed first,
     * because once the parent is gone they are re-parented and can no longer be found from it.
     */
    static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String lastLineSuffix(String text) {
        String[] lines = text.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        if (last.isEmpty()) {
            return "";
        }
        String printable = last.replaceAll("\\p{Cntrl}", "?");
        return ": " + (printable.length() > 200 ? printable.substring(0, 200) + "..." : printable);
    }

    /** Reads a process's output on a daemon thread, keeping at most {@link #MAX_OUTPUT_BYTES}. */
    private static final class OutputCollector {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread reader;

        OutputCollector(InputStream in) {
            reader = new Thread(() -> copy(in), "contop-tailscale-output");
            reader.setDaemon(true);
            reader.start();
        }

        private void copy(InputStream in) {
            byte[] chunk = new byte[4096];
            try (in) {
                int read;
                while ((read = in.read(chunk)) >= 0) {
                    synchronized (buffer) {
                        int room = MAX_OUTPUT_BYTES - buffer.size();
                        buffer.write(chunk, 0, Math.max(0, Math.min(room, read)));
                    }
                }
            } catch (IOException e) {
                // The stream closes when the process is killed. What was read so far is kept.
            }
        }

        /**
         * Waits up to {@code timeout} for the end of the output and returns what was read. A
         * leftover child process that keeps the pipe open cannot delay the caller for longer.
         */
        String await(Duration timeout) {
            try {
                reader.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
