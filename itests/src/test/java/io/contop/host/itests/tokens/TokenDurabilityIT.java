package io.contop.host.itests.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Token durability and races against a running daemon: a crash in the middle of a burst of
 * pairings, concurrent pair and revoke for one device, and revocation of a live session.
 */
class TokenDurabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killMidBurstKeepsAcknowledgedTokens() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start()) {
            HttpClient client = HttpClient.newHttpClient();
            ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Void>> requests = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(daemon.baseUrl() + "/api/pair?device_id=burst-" + i))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build();
                requests.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .thenAccept(response -> {
                            if (response.statusCode() == 200) {
                                response.headers().firstValue("x-pairing-token").ifPresent(acknowledged::add);
                            }
                        })
                        .exceptionally(connectionLost -> null));
                if (i == 30) {
                    awaitAtLeast(acknowledged, 5);
                    daemon.kill();
                }
            }
            CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            JsonNode file = JSON.readTree(Files.readAllBytes(daemon.dataDirectory().resolve("tokens.json")));
            Set<String> stored = new HashSet<>();
            file.get("tokens").forEach(entry -> stored.add(entry.get("token").asText()));
            assertTrue(acknowledged.size() >= 5, "acknowledged " + acknowledged.size());
            for (String token : acknowledged) {
                assertTrue(stored.contains(token), "acknowledged token " + token.substring(0, 8) + " not on disk");
            }
        }
    }

    @Test
    void concurrentPairRevokeLeavesOneToken() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start()) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                boolean revoke = i % 3 == 2;
                calls.add(pool.submit(() -> revoke ? daemon.delete("/api/pair?device_id=contested")
                        : daemon.post("/api/pair?device_id=contested&connection_type=" + (Math.random() < 0.5 ? "temp" : "permanent"))));
            }
            for (java.util.concurrent.Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            int inMemory = 0;
            for (JsonNode device : JSON.readTree(daemon.get("/api/devices").body()).get("devices")) {
                inMemory += "contested".equals(device.path("device_id").asText()) ? 1 : 0;
            }
            assertTrue(inMemory <= 1, "tokens for the device: " + inMemory);

            daemon.restart();
            int afterRestart = 0;
            JsonNode status = JSON.readTree(daemon.get("/api/pair/status?device_id=contested").body());
            for (JsonNode device : JSON.readTree(daemon.get("/api/devices").body()).get("devices")) {
                afterRestart += "contested".equals(device.path("device_id").asText()) ? 1 : 0;
            }
            assertTrue(afterRestart <= 1, "tokens after restart: " + afterRestart);
            if (afterRestart == 1) {
                assertEquals("permanent", status.get("connection_type").asText());
            }
        }
    }

    @Test
    void revocationClosesLiveSessionPromptly() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start(); NetworkNamespace namespace = new NetworkNamespace()) {
            JsonNode payload = PairingQr.decodePayload(daemon.post("/api/pair?device_id=to-revoke").body());
            String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token="
                    + payload.get("t").asText();
            try (PhoneProcess phone = PhoneProcess.start(namespace, new PhoneOptions().signalingUrl(url)
                    .fingerprint(payload.get("d").asText()).stay(Duration.ofSeconds(60)))) {
                phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                        Duration.ofSeconds(30));

                long start = System.nanoTime();
                assertEquals(200, daemon.delete("/api/pair?device_id=to-revoke").statusCode());
                phone.awaitEvent("done", Duration.ofSeconds(10));
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                System.out.println("Revocation to closed session: " + elapsed.toMillis() + " ms");
                assertTrue(elapsed.compareTo(Duration.ofSeconds(5)) < 0, "took " + elapsed);
            }
            assertEquals(4001, closeCode(url.replace(namespace.hostAddress(), "127.0.0.1")));
        }
    }

    private static int closeCode(String url) throws Exception {
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), new WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
                closed.complete(code);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        return closed.get(10, TimeUnit.SECONDS);
    }

    private static void awaitAtLeast(ConcurrentLinkedQueue<String> queue, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (queue.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
