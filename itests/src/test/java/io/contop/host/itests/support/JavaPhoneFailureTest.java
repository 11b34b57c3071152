package io.contop.host.itests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.phone.JavaPhone;
import io.contop.host.itests.phone.PhoneOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JavaPhoneFailureTest {

    private static final String FINGERPRINT = "AB".repeat(32);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void refusedSignalingEndsWithError() throws IOException {
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            int closedPort = closedPortOn(namespace.hostAddress());
            PhoneOptions options = new PhoneOptions()
                    .signalingUrl("ws://" + namespace.hostAddress() + ":" + closedPort + "/ws/signaling?token=secret-token")
                    .fingerprint(FINGERPRINT);

            try (PhoneProcess phone = PhoneProcess.start(namespace, options)) {
                JsonNode error = phone.awaitEvent("error", TIMEOUT);
                assertEquals(JavaPhone.EXIT_ERROR, phone.awaitExit(TIMEOUT));
                String message = error.path("message").asText();
                assertTrue(message.contains("Signaling connection"), message);
                assertFalse(message.contains("secret-token"), "the token must not appear in errors: " + message);
                assertTrue(phone.events().stream().noneMatch(e -> e.path("event").asText().equals("signaling_open")),
                        "no signaling_open expected: " + phone.events());
            }
        }
    }

    @Test
    void invalidFingerprintIsUsageError() {
        PhoneOptions options = new PhoneOptions()
                .signalingUrl("ws://127.0.0.1:1/ws/signaling?token=t")
                .fingerprint("AB:CD");

        try (PhoneProcess phone = PhoneProcess.startInProcess(options)) {
            JsonNode error = phone.awaitEvent("error", TIMEOUT);
            assertEquals(JavaPhone.EXIT_USAGE, phone.awaitExit(TIMEOUT));
            assertTrue(error.path("message").asText().contains("Invalid fingerprint"), error.toString());
        }
    }

    /** Returns a port on {@code address} that nothing listens on: bound once, then released. */
    private static int closedPortOn(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        }
    }
}
