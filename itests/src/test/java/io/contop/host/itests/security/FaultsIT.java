package io.contop.host.itests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.PairingQr;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Faults the daemon must survive while it keeps serving: SIGKILL in the middle of saves, a full
 * disk, a read-only data directory, the wall clock jumping past expiries, and a Tailscale CLI that
 * prints garbage, crashes or hangs. An engine whose native library cannot load is covered by
 * {@code EngineLifecycleIT.unloadableNativeLibraryKeepsPairing}.
 */
class FaultsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KILL_ROUNDS = Integer.getInteger("contop.faults.kill.rounds", 50);

    @Test
    void sigkillDuringSavesKeepsAcknowledgedTokens() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        Set<String> acknowledged = new HashSet<>();
        long start = System.nanoTime();
        try (DaemonProcess daemon = DaemonProcess.start()) {
            for (int round = 0; round < KILL_ROUNDS; round++) {
                ConcurrentLinkedQueue<String> burst = new ConcurrentLinkedQueue<>();
                List<CompletableFuture<Void>> requests = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(daemon.baseUrl()
                            + "/api/pair?device_id=kill-" + round + "-" + i)).POST(HttpRequest.BodyPublishers.noBody())
                            .timeout(Duration.ofSeconds(20)).build();
                    requests.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                            .thenAccept(response -> {
                                if (response.statusCode() == 200) {
                                    response.headers().firstValue("x-pairing-token").ifPresent(burst::add);
                                }
                            })
                            .exceptionally(connectionLost -> null));
                }
                awaitAtLeastOne(burst);
                daemon.kill();
                CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
                acknowledged.addAll(burst);

                Set<String> stored = storedTokens(daemon.dataDirectory());
                for (String token : acknowledged) {
                    assertTrue(stored.contains(token), "round " + round + ": acknowledged token " + token.substring(0, 8)
                            + " is not in tokens.json");
                }
                daemon.restart();
            }
            try (Stream<Path> files = Files.list(daemon.dataDirectory())) {
                List<String> names = files.map(path -> path.getFileName().toString()).toList();
                assertTrue(names.stream().noneMatch(name -> name.contains(".corrupt-") || name.endsWith(".tmp")),
                        "files left: " + names);
            }
            String devices = new String(daemon.get("/api/devices").body(), StandardCharsets.UTF_8);
            assertEquals(200, daemon.get("/health").statusCode());
            assertTrue(acknowledged.size() >= KILL_ROUNDS, "acknowledged " + acknowledged.size());
            assertTrue(devices.contains("kill-" + (KILL_ROUNDS - 1)), devices);
        }
        System.out.printf("FaultsIT: %d SIGKILL rounds, %d acknowledged tokens kept, %d s%n", KILL_ROUNDS,
                acknowledged.size(), Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    @Test
    void fullDiskFailsPairingCleanly() throws Exception {
        try (TmpfsMount disk = new TmpfsMount("2m");
                DaemonProcess daemon = DaemonProcess.start(Map.of("CONTOP_DATA_DIR", disk.directory().toString()))) {
            String kept = token(SecurityChecks.pair(daemon, "device_id=before-full"));
            Path tokensFile = disk.directory().resolve("tokens.json");
            byte[] before = Files.readAllBytes(tokensFile);

            Path filler = disk.directory().resolve("filler");
            fill(filler);
            int offset = daemon.log().length();
            HttpResponse<byte[]> failed = daemon.post("/api/pair?device_id=on-full-disk");
            assertEquals(500, failed.statusCode(), body(failed));
            assertTrue(body(failed).contains("pairing_failed"), body(failed));
            assertFalse(body(daemon.get("/api/devices")).contains("on-full-disk"), "the failed pairing is listed");
            assertEquals("none", json(daemon.get("/api/pair/status?device_id=on-full-disk")).get("status").asText());
            assertTrue(daemon.log().substring(offset).contains("Saving the pairing tokens failed"), daemon.log());
            assertTrue(daemon.log().substring(offset).contains("No space left on device"), daemon.log());
            assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(tokensFile), "tokens.json changed");
            assertTrue(storedTokens(disk.directory()).contains(kept));
            assertEquals(200, daemon.post("/api/pair?connection_type=temp").statusCode(), "temp pairing needs no disk");
            assertEquals(200, daemon.get("/health").statusCode());

            Files.delete(filler);
            String after = token(daemon.post("/api/pair?device_id=on-full-disk"));
            assertTrue(storedTokens(disk.directory()).contains(after), "pairing works again once there is space");
            daemon.stop();
        }
    }

    @Test
    void readOnlyDataDirectoryKeepsServing() throws Exception {
        Path logs = Files.createTempDirectory("contop-logs-");
        try (TmpfsMount disk = new TmpfsMount("4m");
                DaemonProcess daemon = startWithLogsElsewhere(disk, logs)) {
            String kept = token(SecurityChecks.pair(daemon, "device_id=before-read-only"));
            disk.remountReadOnly();

            int offset = daemon.log().length();
            HttpResponse<byte[]> failed = daemon.post("/api/pair?device_id=on-read-only");
            assertEquals(500, failed.statusCode(), body(failed));
            assertFalse(body(daemon.get("/api/devices")).contains("on-read-only"), "the failed pairing is listed");
            assertTrue(daemon.log().substring(offset).contains("Read-only file system"), daemon.log());
            assertEquals(200, daemon.post("/api/pair?connection_type=temp").statusCode());
            assertSignalingOpen(daemon, kept);

            daemon.restart();
            SecurityChecks.pair(daemon, "connection_type=temp");
            assertEquals("active", json(daemon.get("/api/pair/status?device_id=before-read-only")).get("status").asText(),
                    "the stored token is loaded from a read-only directory");
            assertSignalingOpen(daemon, kept);

            disk.remountReadWrite();
            String after = token(daemon.post("/api/pair?device_id=on-read-only"));
            assertTrue(storedTokens(disk.directory()).contains(after));
            daemon.stop();
        } finally {
            deleteRecursively(logs);
        }
    }

    /**
     * Starts a daemon whose data directory is {@code disk} but whose log files go to {@code logs}:
     * a mount with a file open for writing cannot be remounted read-only.
     */
    private static DaemonProcess startWithLogsElsewhere(TmpfsMount disk, Path logs) throws IOException {
        Files.createSymbolicLink(disk.directory().resolve("logs"), logs);
        return DaemonProcess.start(Map.of("CONTOP_DATA_DIR", disk.directory().toString()));
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void clockJumpExpiresTokensAndClosesSockets() throws Exception {
        Path offsetFile = Files.createTempFile("contop-clock-offset-", ".txt");
        Files.writeString(offsetFile, "PT0S");
        Map<String, String> environment = Map.of("CONTOP_JAVA_OPTS", "-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1"
                + " -Dcontop.test.clock.offset.file=" + offsetFile + " -Dcontop.test.clock.confirm=offset-token-expiry-for-tests");
        try (DaemonProcess daemon = DaemonProcess.start(environment)) {
            assertTrue(daemon.log().contains("TEST CLOCK"), "the test clock announces itself");
            JsonNode temp = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "connection_type=temp"));
            String permanent = token(daemon.post("/api/pair?device_id=clock"));
            try (RawWebSocket live = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + temp.get("t").asText(),
                    Map.of())) {
                assertEquals(101, live.handshakeStatus());
                Files.writeString(offsetFile, "PT4H1M");
                Integer code = live.awaitClose(Duration.ofSeconds(15));
                assertEquals(4001, code, "the live socket of the expired temp token");
                assertTrue(live.closeReason().contains("expired"), live.closeReason());
            }
            assertTrue(body(daemon.get("/api/devices")).contains("\"type\":\"expired\""));
            assertSignalingRefused(daemon, temp.get("t").asText());
            assertSignalingOpen(daemon, permanent);

            Files.writeString(offsetFile, "P30DT1H");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (storedTokens(daemon.dataDirectory()).contains(permanent) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertFalse(storedTokens(daemon.dataDirectory()).contains(permanent), "expired permanent token still stored");
            assertEquals("none", json(daemon.get("/api/pair/status?device_id=clock")).get("status").asText());
            assertSignalingRefused(daemon, permanent);
            assertEquals(200, daemon.post("/api/pair?device_id=after-jump").statusCode(), "pairing after the jump");
        } finally {
            Files.deleteIfExists(offsetFile);
        }
    }

    @Test
    void brokenTailscaleCliKeepsQrCode() throws Exception {
        Path scripts = Files.createTempDirectory("contop-fake-tailscale-");
        Map<String, String> variants = new java.util.LinkedHashMap<>();
        variants.put("valid", "echo 100.100.100.100");
        variants.put("garbage", "head -c 4096 /dev/urandom; echo; echo not-an-address");
        variants.put("injection", "echo '100.64.0.1; rm -rf /'; echo '\"},\"t\":\"forged'");
        variants.put("crash", "kill -SEGV $$");
        variants.put("huge-output", "head -c 20000000 /dev/zero | tr '\\0' x");
        variants.put("hang", "sleep 30");
        try (DaemonProcess daemon = DaemonProcess.start()) {
            SecurityChecks.pair(daemon, "connection_type=temp");
            for (Map.Entry<String, String> variant : variants.entrySet()) {
                Path script = scripts.resolve("tailscale-" + variant.getKey());
                Files.writeString(script, "#!/bin/sh\n" + variant.getValue() + "\n");
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
                int offset = daemon.log().length();
                Files.writeString(daemon.installation().resolve("config").resolve("io.contop.host.path.tailscale.cfg"),
                        "enabled=true\nbinary=" + script + "\ntimeout.seconds=1\nrefresh.seconds=1\n");
                awaitLog(daemon, offset, "Tailscale address");

                HttpResponse<byte[]> response = daemon.post("/api/pair?connection_type=temp");
                assertEquals(200, response.statusCode(), variant.getKey() + ": " + body(response));
                JsonNode payload = PairingQr.decodePayload(response.body());
                assertEquals(response.headers().firstValue("x-pairing-token").orElse(""), payload.get("t").asText());
                if (variant.getKey().equals("valid")) {
                    assertEquals("100.100.100.100", payload.path("ts").asText(), variant.getKey() + ": " + payload);
                } else {
                    assertFalse(payload.has("ts"), variant.getKey() + ": " + payload);
                }
                assertEquals(200, daemon.get("/api/connection-info").statusCode());
                assertEquals(200, daemon.get("/health").statusCode());
            }
        } finally {
            try (Stream<Path> files = Files.list(scripts)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.delete(file);
                }
            }
            Files.delete(scripts);
        }
    }

    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // No space left: the disk is full.
        }
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(1);
                out.flush();
            }
        } catch (IOException full) {
            // The last partial block is filled too.
        }
    }

    private static void assertSignalingOpen(DaemonProcess daemon, String token) throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + token, Map.of())) {
            assertEquals(101, socket.handshakeStatus());
            assertEquals(null, socket.awaitClose(Duration.ofMillis(700)), "a valid token's socket was closed");
        }
    }

    private static void assertSignalingRefused(DaemonProcess daemon, String token) throws Exception {
        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + token, Map.of())) {
            assertEquals(4001, socket.awaitClose(Duration.ofSeconds(10)));
        }
    }

    private static Set<String> storedTokens(Path dataDirectory) throws IOException {
        JsonNode file = JSON.readTree(Files.readAllBytes(dataDirectory.resolve("tokens.json")));
        assertNotNull(file.get("tokens"), "tokens.json has no tokens array");
        Set<String> tokens = new HashSet<>();
        file.get("tokens").forEach(entry -> tokens.add(entry.get("token").asText()));
        return tokens;
    }

    private static void awaitAtLeastOne(ConcurrentLinkedQueue<String> acknowledged) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (acknowledged.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
    }

    private static void awaitLog(DaemonProcess daemon, int offset, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!daemon.log().substring(offset).contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log never contained \"" + text + "\":\n" + daemon.log().substring(offset));
            }
            Thread.sleep(100);
        }
    }

    private static String token(HttpResponse<byte[]> response) {
        assertEquals(200, response.statusCode(), body(response));
        return response.headers().firstValue("x-pairing-token").orElseThrow();
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readTree(response.body());
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }
}
