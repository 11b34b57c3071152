package io.contop.host.itests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.phone.PhoneOptions;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import io.contop.host.itests.support.NetworkNamespace;
import io.contop.host.itests.support.OfferSdp;
import io.contop.host.itests.support.PairingQr;
import io.contop.host.itests.support.PhoneProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the daemon with DEBUG logging and the request log on, then pairs, connects a phone, fails
 * authentication in several ways and revokes. Every log and everything the phone received is then
 * searched for the full tokens, the API keys and the stored private keys, and none may appear.
 */
class SecretsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENAI_KEY = "sk-test-openai-key-9f8e7d6c5b4a";
    private static final String JAVA_OPTIONS = "-XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 -Dcontop.log.level=DEBUG";

    @Test
    void secretsNeverLeaveTheirPlace() throws Exception {
        Map<String, String> environment = Map.of("CONTOP_JAVA_OPTS", JAVA_OPTIONS, "OPENAI_API_KEY", OPENAI_KEY);
        try (DaemonProcess daemon = DaemonProcess.start(environment); NetworkNamespace namespace = new NetworkNamespace()) {
            enableRequestLog(daemon);
            Map<String, String> secrets = new LinkedHashMap<>();
            secrets.put("Gemini API key", DaemonProcess.TEST_GEMINI_KEY);
            secrets.put("OpenAI API key", OPENAI_KEY);
            List<String> received = new ArrayList<>();

            JsonNode permanent = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "device_id=secrets-phone"));
            JsonNode temporary = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "connection_type=temp"));
            assertEquals(DaemonProcess.TEST_GEMINI_KEY, permanent.get("g").asText(), "the QR code carries the key");
            secrets.put("permanent token", permanent.get("t").asText());
            secrets.put("temporary token", temporary.get("t").asText());
            JsonNode stored = JSON.readTree(Files.readAllBytes(daemon.dataDirectory().resolve("tokens.json")));
            for (JsonNode entry : stored.get("tokens")) {
                secrets.put("private key of " + entry.get("device_id").asText(), pemBody(entry.get("dtls_private_key_pem").asText()));
            }

            received.addAll(connectPhone(daemon, namespace, permanent));
            received.addAll(rawSession(daemon, temporary));
            failAuthentication(daemon, namespace, permanent.get("t").asText(), received);
            received.add(body(daemon.get("/api/devices")));
            received.add(body(daemon.get("/api/connection-info")));
            received.add(body(daemon.get("/api/pair/status?device_id=secrets-phone")));

            assertEquals(200, daemon.delete("/api/pair?device_id=secrets-phone").statusCode());
            assertEquals(200, daemon.delete("/api/pair").statusCode());
            awaitLog(daemon, "Revoked token " + temporary.get("t").asText().substring(0, 8));

            String logs = SecurityChecks.allLogs(daemon);
            assertTrue(logs.contains(" DEBUG "), "DEBUG logging is on");
            assertTrue(logs.contains("\"GET /health HTTP/1.1\" 200"), "the request log is on:\n" + logs);
            assertTrue(logs.contains("\"GET /ws/signaling HTTP/1.1\""), "the request log lists signaling without the query");
            for (Map.Entry<String, String> secret : secrets.entrySet()) {
                assertFalse(logs.contains(secret.getValue()), () -> "a log contains the " + secret.getKey() + ":\n"
                        + linesContaining(logs, secret.getValue()));
                for (String text : received) {
                    assertFalse(text.contains(secret.getValue()), "the phone received the " + secret.getKey() + ": " + text);
                }
            }
            System.out.printf("SecretsIT: searched %d characters of logs and %d messages for %d secrets%n",
                    logs.length(), received.size(), secrets.size());
        }
    }

    private static void enableRequestLog(DaemonProcess daemon) throws Exception {
        int offset = daemon.log().length();
        Files.writeString(daemon.installation().resolve("config").resolve("io.contop.host.transport.cfg"),
                "request.log=true\n");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!daemon.log().substring(offset).contains("request log on")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the transport did not restart with the request log:\n" + daemon.log());
            }
            Thread.sleep(100);
        }
        for (int i = 0; i < 100 && daemon.get("/health").statusCode() != 200; i++) {
            Thread.sleep(100);
        }
    }

    /** Runs a phone session that sends messages on the data channel; returns every event it reported. */
    private static List<String> connectPhone(DaemonProcess daemon, NetworkNamespace namespace, JsonNode payload) {
        String url = "ws://" + namespace.hostAddress() + ":" + daemon.port() + "/ws/signaling?token=" + payload.get("t").asText();
        List<String> events = new ArrayList<>();
        try (PhoneProcess phone = PhoneProcess.start(namespace, new PhoneOptions().signalingUrl(url)
                .fingerprint(payload.get("d").asText()).deviceLocation("Porto, Portugal")
                .send("{\"type\":\"get_state\",\"id\":\"1\",\"payload\":{}}").stay(Duration.ofSeconds(1)))) {
            phone.awaitEvent("message", event -> "state_update".equals(event.at("/data/type").asText()),
                    Duration.ofSeconds(30));
            assertEquals(0, phone.awaitExit(Duration.ofSeconds(30)), phone.stderr());
            phone.events().forEach(event -> events.add(event.toString()));
        }
        return events;
    }

    /** Offers on a raw socket and returns every signaling frame the host sent, answer and candidates included. */
    private static List<String> rawSession(DaemonProcess daemon, JsonNode payload) throws Exception {
        List<String> frames = new ArrayList<>();
        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + payload.get("t").asText(), Map.of())) {
            socket.sendText("{\"type\":\"offer\",\"sdp\":" + JSON.writeValueAsString(OfferSdp.get())
                    + ",\"device_name\":\"raw\"}");
            socket.sendText("not json");
            socket.sendText("{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"candidate:1 1 udp 1 x.local 9 typ host\","
                    + "\"sdpMid\":\"0\"}}");
            String frame;
            while ((frame = socket.nextText(Duration.ofSeconds(2))) != null) {
                frames.add(frame);
            }
        }
        assertTrue(frames.stream().anyMatch(text -> text.contains("\"answer\"")), "no answer in " + frames);
        return frames;
    }

    /** Fails authentication in several ways and keeps what the host sent back. */
    private static void failAuthentication(DaemonProcess daemon, NetworkNamespace namespace, String token,
            List<String> received) throws Exception {
        String wrong = token.substring(0, token.length() - 1) + (token.endsWith("0") ? "1" : "0");
        for (String target : List.of("/ws/signaling?token=" + wrong, "/ws/signaling?token=" + token.substring(0, 8),
                "/ws/signaling?token=" + token + "&token=" + token, "/ws/signaling/" + token,
                "/ws/signaling?token=" + token + "&x=%zz", "/ws/signaling?token=" + token + "&x=|")) {
            try (RawWebSocket socket = RawWebSocket.open(daemon.port(), target, Map.of())) {
                socket.awaitClose(Duration.ofSeconds(10));
                received.add(socket.closeReason());
            }
        }
        ExternalCommand.Result fromOutside = ExternalCommand.run(Duration.ofSeconds(20), namespace.command("curl", "-s",
                "-X", "POST", "-H", "X-Forwarded-For: 127.0.0.1",
                "http://" + namespace.hostAddress() + ":" + daemon.port() + "/api/pair?device_id=outsider"));
        assertTrue(fromOutside.stdout().contains("forbidden"), fromOutside.stdout() + fromOutside.stderr());
        received.add(fromOutside.stdout());
    }

    /** Returns the lines of {@code text} that contain {@code secret}, with the secret masked. */
    private static String linesContaining(String text, String secret) {
        StringBuilder lines = new StringBuilder();
        for (String line : text.split("\n")) {
            if (line.contains(secret)) {
                lines.append(line.replace(secret, "<secret>")).append('\n');
            }
        }
        return lines.toString();
    }

    private static String pemBody(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "").substring(0, 64);
    }

    private static String body(java.net.http.HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static void awaitLog(DaemonProcess daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!daemon.log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log never contained \"" + text + "\"");
            }
            Thread.sleep(100);
        }
    }
}
