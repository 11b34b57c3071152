package io.contop.host.itests.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.PairingQr;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pairing rules of the REST API, each checked over HTTP against a running daemon. */
class PairingRestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DaemonProcess daemon;

    @BeforeAll
    static void start() {
        daemon = DaemonProcess.start();
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    @Test
    void permanentPairingIsRenewed() {
        HttpResponse<byte[]> first = daemon.post("/api/pair?device_id=renewed");
        HttpResponse<byte[]> second = daemon.post("/api/pair?device_id=renewed");

        assertEquals(200, second.statusCode());
        assertEquals(header(first, "x-pairing-token"), header(second, "x-pairing-token"));
        assertEquals(header(first, "x-pairing-expires-at"), header(second, "x-pairing-expires-at"));
        assertEquals(header(second, "x-pairing-token"), PairingQr.decodePayload(second.body()).get("t").asText());
    }

    @Test
    void tempPairingIsAlwaysNew() {
        HttpResponse<byte[]> first = daemon.post("/api/pair?connection_type=temp");
        HttpResponse<byte[]> second = daemon.post("/api/pair?connection_type=temp");

        assertEquals(200, first.statusCode());
        assertNotEquals(header(first, "x-pairing-token"), header(second, "x-pairing-token"));
        assertEquals("temp", PairingQr.decodePayload(second.body()).get("c").asText());
    }

    @Test
    void tokenLooksLikeUuidV4() {
        String token = header(daemon.post("/api/pair?connection_type=temp"), "x-pairing-token");
        assertTrue(token.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), token);
    }

    @Test
    void otherConnectionTypeIsRejected() throws Exception {
        HttpResponse<byte[]> response = daemon.post("/api/pair?connection_type=forever");
        assertEquals(400, response.statusCode());
        assertEquals("invalid_connection_type", json(response).get("error").asText());
    }

    @Test
    void pairingAgainReplacesDeviceToken() throws Exception {
        String first = header(daemon.post("/api/pair?device_id=replaced&connection_type=temp"), "x-pairing-token");
        String second = header(daemon.post("/api/pair?device_id=replaced&connection_type=temp"), "x-pairing-token");

        assertNotEquals(first, second);
        JsonNode devices = json(daemon.get("/api/devices"));
        long entries = 0;
        for (JsonNode device : devices.get("devices")) {
            entries += "replaced".equals(device.path("device_id").asText()) ? 1 : 0;
        }
        assertEquals(1, entries);
        assertTrue(devices.get("events").toString().contains("\"type\":\"token_replaced\""), devices.toString());
    }

    @Test
    void revokeByDeviceThenNothingLeft() throws Exception {
        daemon.post("/api/pair?device_id=revoked");
        JsonNode revoked = json(daemon.delete("/api/pair?device_id=revoked"));
        JsonNode again = json(daemon.delete("/api/pair?device_id=revoked"));

        assertTrue(revoked.get("revoked").asBoolean());
        assertFalse(again.get("revoked").asBoolean());
        assertEquals("No active token to revoke", again.get("message").asText());
        assertEquals("none", json(daemon.get("/api/pair/status?device_id=revoked")).get("status").asText());
        assertTrue(json(daemon.get("/api/devices")).get("events").toString().contains("\"type\":\"revoked\""));
    }

    @Test
    void statusNeverShowsToken() throws Exception {
        String token = header(daemon.post("/api/pair?device_id=status"), "x-pairing-token");
        HttpResponse<byte[]> response = daemon.get("/api/pair/status?device_id=status");
        JsonNode status = json(response);

        assertEquals("active", status.get("status").asText());
        assertEquals("status", status.get("device_id").asText());
        assertEquals("permanent", status.get("connection_type").asText());
        assertTrue(status.hasNonNull("expires_at"));
        assertFalse(new String(response.body(), StandardCharsets.UTF_8).contains(token));
    }

    @Test
    void qrImageGoneAfterRevocation() {
        daemon.post("/api/pair?device_id=qr-image");
        assertEquals(200, daemon.get("/api/qr-image").statusCode());

        daemon.delete("/api/pair?device_id=qr-image");
        HttpResponse<byte[]> gone = daemon.get("/api/qr-image");
        assertEquals(404, gone.statusCode());
        assertTrue(new String(gone.body(), StandardCharsets.UTF_8).contains("no_active_qr"));
    }

    @Test
    void unnamedDeviceGetsLabel() throws Exception {
        String token = header(daemon.post("/api/pair?device_id=unnamed"), "x-pairing-token");
        String label = "Device-" + token.substring(0, 6).toUpperCase();
        assertTrue(json(daemon.get("/api/devices")).toString().contains(label));
    }

    @Test
    void devicesSinceFiltersEvents() throws Exception {
        daemon.post("/api/pair?device_id=since");
        daemon.delete("/api/pair?device_id=since");
        JsonNode all = json(daemon.get("/api/devices"));
        JsonNode last = all.get("events").get(all.get("events").size() - 1);
        String since = last.get("timestamp").asText();

        JsonNode after = json(daemon.get("/api/devices?since=" + since.replace("+", "%2B")));
        assertEquals(0, after.get("events").size(), after.toString());
        JsonNode unparseable = json(daemon.get("/api/devices?since=yesterday"));
        assertEquals(all.get("events").size(), unparseable.get("events").size());
    }

    @Test
    void connectionInfoHasFieldsNoToken() throws Exception {
        String token = header(daemon.post("/api/pair?device_id=info"), "x-pairing-token");
        HttpResponse<byte[]> response = daemon.get("/api/connection-info");
        JsonNode info = json(response);

        for (String field : new String[] {"lan_ip", "tailscale_ip", "tailscale_available", "tunnel_url",
            "tunnel_active", "connected_clients", "has_active_token", "token_expires_at", "token_connection_type",
            "server_port", "open_sessions"}) {
            assertTrue(info.has(field), "missing " + field);
        }
        assertEquals(daemon.port(), info.get("server_port").asInt());
        assertFalse(new String(response.body(), StandardCharsets.UTF_8).contains(token));
    }

    @Test
    void filesAreOwnerOnly() throws Exception {
        daemon.post("/api/pair?device_id=permissions");
        Path data = daemon.dataDirectory();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("tokens.json"))));
    }

    @Test
    void noProviderMeansConfigurationError() throws Exception {
        try (DaemonProcess bare = DaemonProcess.start(Map.of("GEMINI_API_KEY", ""))) {
            HttpResponse<byte[]> response = bare.post("/api/pair?device_id=no-provider");
            assertEquals(500, response.statusCode());
            assertEquals("configuration_error", json(response).get("error").asText());
            assertEquals("none", json(bare.get("/api/pair/status")).get("status").asText());
            assertFalse(Files.exists(bare.dataDirectory().resolve("tokens.json")));
        }
    }

    private static String header(HttpResponse<byte[]> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no header " + name
                + " in " + response.statusCode() + " " + new String(response.body(), StandardCharsets.UTF_8)));
    }

    private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
