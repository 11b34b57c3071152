package io.contop.host.itests.webrtc;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A virtual X server ({@code Xvfb}) on a free display number, reached through its Unix domain
 * socket only. Needs the {@code xvfb} package. {@link #close()} stops the server and may be
 * called more than once.
 */
final class XvfbDisplay implements AutoCloseable {
    static final String XVFB = "/usr/bin/Xvfb";

    private static final int FIRST_DISPLAY = 50;
    private static final int DISPLAYS_TRIED = 150;

    private final int number;
    private final Process process;

    private XvfbDisplay(int number, Process process) {
        this.number = number;
        this.process = process;
    }

    /**
     * Starts Xvfb with one screen of {@code width} x {@code height} pixels at 24 bits per pixel
     * and waits until its socket exists.
     *
     * @throws IllegalStateException when Xvfb is missing or no display number works
     */
    static XvfbDisplay start(int width, int height) throws InterruptedException {
        if (!Files.isExecutable(Path.of(XVFB))) {
            throw new IllegalStateException(XVFB + " not found; install it with 'apt-get install -y xvfb'");
        }
        int offset = (int) (ProcessHandle.current().pid() % DISPLAYS_TRIED);
        for (int attempt = 0; attempt < DISPLAYS_TRIED; attempt++) {
            int number = FIRST_DISPLAY + (offset + attempt) % DISPLAYS_TRIED;
            if (inUse(number)) {
                continue;
            }
            XvfbDisplay display = tryStart(number, width, height);
            if (display != null) {
                return display;
            }
        }
        throw new IllegalStateException("no free X display between :" + FIRST_DISPLAY + " and :"
                + (FIRST_DISPLAY + DISPLAYS_TRIED - 1));
    }

    /**
     * Starts Xvfb on display {@code number}, like {@link #start(int, int)}.
     *
     * @throws IllegalStateException when Xvfb is missing or exits at once, as when the number is taken
     */
    static XvfbDisplay startOn(int number, int width, int height) throws InterruptedException {
        if (!Files.isExecutable(Path.of(XVFB))) {
            throw new IllegalStateException(XVFB + " not found; install it with 'apt-get install -y xvfb'");
        }
        XvfbDisplay display = tryStart(number, width, height);
        if (display == null) {
            throw new IllegalStateException("Xvfb :" + number + " exited at start; is the display number taken?");
        }
        return display;
    }

    /** Returns true when a lock file or socket shows that display {@code number} is taken. */
    static boolean inUse(int number) {
        return Files.exists(Path.of("/tmp", ".X" + number + "-lock")) || Files.exists(socket(number));
    }

    /** Returns a display number that no X server uses now, without starting one. */
    static int unusedNumber() {
        for (int number = FIRST_DISPLAY + DISPLAYS_TRIED - 1; number >= FIRST_DISPLAY; number--) {
            if (!inUse(number)) {
                return number;
            }
        }
        throw new IllegalStateException("every X display between :" + FIRST_DISPLAY + " and :"
                + (FIRST_DISPLAY + DISPLAYS_TRIED - 1) + " is in use");
    }

    /** Returns {@code :N}, the value for {@code DISPLAY}. */
    String name() {
        return ":" + number;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path socket(int number) {
        return Path.of("/tmp", ".X11-unix", "X" + number);
    }

    /** Starts Xvfb on {@code number}; returns null when it exits first, as when another one took the number. */
    private static XvfbDisplay tryStart(int number, int width, int height) throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(XVFB, ":" + number, "-screen", "0", width + "x" + height + "x24",
                    "-nolisten", "tcp")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Failed to start " + XVFB + ": " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return null;
            }
            if (Files.exists(socket(number))) {
                return new XvfbDisplay(number, process);
            }
            Thread.sleep(50);
        }
        process.destroyForcibly();
        throw new IllegalStateException("Xvfb :" + number + " created no socket within 10 s");
    }
}
