package io.contop.host.path.tunnel.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes shell scripts that stand in for cloudflared and print what the real program prints.
 * Each run records its arguments ({@code argv}), environment ({@code env}), process id
 * ({@code pid}) and one line per run ({@code runs}) in the script's directory.
 */
final class FakeCloudflared {
    static final String TUNNEL_HOST = "seasonal-deck-organisms-sf.trycloudflare.com";
    private static final String BOX_TITLE =
            "Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):";

    private final Path directory;

    FakeCloudflared(Path directory) {
        this.directory = directory;
    }

    Path directory() {
        return directory;
    }

    /** Returns the log lines up to the request for a quick tunnel, as cloudflared prints them to standard error. */
    static List<String> preamble() {
        return List.of(
                "2025-03-14T09:26:53Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare "
                        + "account, is a quick way to experiment and try it out.",
                "2025-03-14T09:26:53Z INF Requesting new quick Tunnel on trycloudflare.com...");
    }

    /** Returns the box with the tunnel URL, laid out as cloudflared lays it out, with two spaces of padding inside. */
    static List<String> box(String url) {
        int width = Math.max(BOX_TITLE.length(), url.length());
        String border = "+" + "-".repeat(width + 4) + "+";
        List<String> lines = new ArrayList<>();
        lines.add("2025-03-14T09:26:55Z INF " + border);
        lines.add("2025-03-14T09:26:55Z INF |  " + BOX_TITLE + " ".repeat(width - BOX_TITLE.length()) + "  |");
        lines.add("2025-03-14T09:26:55Z INF |  " + url + " ".repeat(width - url.length()) + "  |");
        lines.add("2025-03-14T09:26:55Z INF " + border);
        return lines;
    }

    /** Returns the log lines after the box, while the connection to the edge comes up. */
    static List<String> connected() {
        return List.of(
                "2025-03-14T09:26:55Z INF Version 2025.2.1 (Checksum 3f1c0d9e)",
                "2025-03-14T09:26:55Z INF Settings: map[ha-connections:1 no-autoupdate:true protocol:quic]",
                "2025-03-14T09:26:55Z INF Starting metrics server on 127.0.0.1:20241/metrics",
                "2025-03-14T09:26:56Z INF Registered tunnel connection connIndex=0 "
                        + "connection=6f0e2c1a-52b4-4a3e-9d41-0b6cbf2b7d11 event=0 ip=198.41.192.107 "
                        + "location=fra08 protocol=quic");
    }

    /**
     * Writes a cloudflared that starts a child process, logs an error naming the quick tunnel API,
     * then the box with the URL, and stays up. The child exists before the URL is printed, so a
     * test that stops the tunnel after the URL always finds it.
     */
    Path working() throws IOException {
        List<String> lines = new ArrayList<>(preamble());
        lines.add("2025-03-14T09:26:54Z ERR Failed to request quick Tunnel from https://api.trycloudflare.com/tunnel, "
                + "retrying error=\"context deadline exceeded\"");
        lines.addAll(box("https://" + TUNNEL_HOST));
        lines.addAll(connected());
        return write("sleep 600 &\necho $! > '" + directory.resolve("child.pid") + "'\n" + printToStderr(lines) + "wait\n");
    }

    /** Writes a cloudflared that the quick tunnel API rejects with 429 Too Many Requests, and that exits with status 1. */
    Path rateLimited() throws IOException {
        List<String> lines = new ArrayList<>(preamble());
        lines.add("2025-03-14T09:26:54Z ERR Error unmarshaling QuickTunnel response: error code: 1015 "
                + "error=\"invalid character 'e' looking for beginning of value\" status_code=\"429 Too Many Requests\"");
        lines.add("failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value");
        return write(printToStderr(lines) + "exit 1\n");
    }

    /** Writes a cloudflared that prints nothing and never exits. */
    Path silent() throws IOException {
        return write("exec sleep 600\n");
    }

    /** Writes a script that records its run and then executes {@code body}. */
    Path write(String body) throws IOException {
        Path script = directory.resolve("cloudflared");
        String recording = "printf '%s\\n' \"$@\" > '" + directory.resolve("argv") + "'\n"
                + "env > '" + directory.resolve("env") + "'\n"
                + "echo $$ > '" + directory.resolve("pid") + "'\n"
                + "echo run >> '" + directory.resolve("runs") + "'\n";
        Files.writeString(script, "#!/bin/sh\n" + recording + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** Returns a shell snippet that prints {@code lines} to standard error. */
    static String printToStderr(List<String> lines) {
        StringBuilder script = new StringBuilder("cat >&2 <<'LOG'\n");
        lines.forEach(line -> script.append(line).append('\n'));
        return script.append("LOG\n").toString();
    }

    int runs() throws IOException {
        Path runs = directory.resolve("runs");
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    List<String> argv() throws IOException {
        return Files.readAllLines(directory.resolve("argv"));
    }

    List<String> environment() throws IOException {
        return Files.readAllLines(directory.resolve("env"));
    }

    long pid() throws IOException {
        return Long.parseLong(Files.readString(directory.resolve("pid")).strip());
    }

    long childPid() throws IOException {
        return Long.parseLong(Files.readString(directory.resolve("child.pid")).strip());
    }

    /** Asserts that process {@code pid} is gone within two seconds. */
    static void assertGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (isAlive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(isAlive(pid), "process " + pid + " still runs");
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
