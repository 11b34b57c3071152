package io.contop.host.itests.security;

import io.contop.host.itests.support.DaemonProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/** Small helpers shared by the security tests. */
final class SecurityChecks {
    private SecurityChecks() {
    }

    /**
     * Pairs with {@code POST /api/pair?<query>} and returns the QR code's PNG. Retries while the
     * daemon responds with 503 because its pairing service is still starting.
     */
    static byte[] pairPng(DaemonProcess daemon, String query) {
        HttpResponse<byte[]> response = pair(daemon, query);
        if (response.statusCode() != 200) {
            throw new AssertionError("POST /api/pair?" + query + " returned " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
        return response.body();
    }

    /** Sends {@code POST /api/pair?<query>}, retrying for up to 30 s while the daemon responds with 503 (starting). */
    static HttpResponse<byte[]> pair(DaemonProcess daemon, String query) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HttpResponse<byte[]> response = daemon.post("/api/pair?" + query);
            if (response.statusCode() != 503 || System.nanoTime() > deadline) {
                return response;
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Returns the daemon's console output followed by every file under {@code ~/.contop/logs}. */
    static String allLogs(DaemonProcess daemon) throws IOException {
        StringBuilder logs = new StringBuilder(daemon.log());
        Path directory = daemon.dataDirectory().resolve("logs");
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                    logs.append(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
                }
            }
        }
        return logs.toString();
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
