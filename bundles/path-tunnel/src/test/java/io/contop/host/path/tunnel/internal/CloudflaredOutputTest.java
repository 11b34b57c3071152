package io.contop.host.path.tunnel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CloudflaredOutputTest {

    @Test
    void boxRowYieldsUrl() {
        for (String line : FakeCloudflared.box("https://seasonal-deck-organisms-sf.trycloudflare.com")) {
            Optional<String> url = CloudflaredOutput.tunnelUrl(line);
            if (line.contains("https://")) {
                assertEquals(Optional.of("https://seasonal-deck-organisms-sf.trycloudflare.com"), url);
            } else {
                assertEquals(Optional.empty(), url, line);
            }
        }
    }

    @Test
    void apiHostIsNeverTunnelUrl() {
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl(
                "2025-03-14T09:26:54Z ERR failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": "
                        + "dial tcp: lookup api.trycloudflare.com: no such host"));
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl(
                "2025-03-14T09:26:54Z INF |  https://api.trycloudflare.com  |"));
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl(
                "2025-03-14T09:26:54Z INF Requesting new quick Tunnel on https://random-host.trycloudflare.com"));
    }

    @Test
    void otherDomainsAndPathsAreRejected() {
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl("INF |  https://evil.example.com  |"));
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl("INF |  https://a.trycloudflare.com/x  |"));
        assertEquals(Optional.empty(), CloudflaredOutput.tunnelUrl("INF |  http://a-b.trycloudflare.com  |"));
        assertEquals(Optional.of("https://a-b.trycloudflare.com"),
                CloudflaredOutput.tunnelUrl("\u001B[90m2025-03-14T09:26:55Z\u001B[0m INF |  https://A-B.trycloudflare.com  |"));
    }

    @Test
    void lastErrorLineIsReason() {
        List<String> lines = new ArrayList<>(FakeCloudflared.preamble());
        lines.add("2025-03-14T09:26:54Z ERR first problem");
        lines.add("2025-03-14T09:26:54Z ERR Error unmarshaling QuickTunnel response: error code: 1015 "
                + "status_code=\"429 Too Many Requests\"");
        lines.add("failed to unmarshal quick Tunnel: invalid character 'e' looking for beginning of value");

        assertEquals(Optional.of("Error unmarshaling QuickTunnel response: error code: 1015 "
                + "status_code=\"429 Too Many Requests\""), CloudflaredOutput.failureReason(lines));
    }

    @Test
    void plainFinalLineIsReasonWithoutErrorLine() {
        List<String> lines = new ArrayList<>(FakeCloudflared.preamble());
        lines.add("failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": dial tcp: "
                + "lookup api.trycloudflare.com: no such host");
        lines.add("");

        assertEquals(Optional.of("failed to request quick Tunnel: Post \"https://api.trycloudflare.com/tunnel\": "
                + "dial tcp: lookup api.trycloudflare.com: no such host"), CloudflaredOutput.failureReason(lines));
    }

    @Test
    void noOutputMeansNoReason() {
        assertEquals(Optional.empty(), CloudflaredOutput.failureReason(List.of()));
        assertEquals(Optional.empty(), CloudflaredOutput.failureReason(List.of("", "  ")));
    }

    @Test
    void sanitizeMasksSecrets() {
        String reason = CloudflaredOutput.sanitize("2025-03-14T09:26:54Z ERR tunnel failed token=eyJhIjoiMTIzNDU2Nzg5MCJ9 "
                + "secret=\"abc def\" cert=Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5");

        assertFalse(reason.contains("eyJhIjoi"), reason);
        assertFalse(reason.contains("abc def"), reason);
        assertFalse(reason.contains("Zm9vYmFy"), reason);
        assertTrue(reason.startsWith("tunnel failed token=[redacted]"), reason);
    }

    @Test
    void sanitizeCutsLongLinesAndControlCharacters() {
        String reason = CloudflaredOutput.sanitize("ERR " + "word ".repeat(200) + "\u0007");

        assertEquals(CloudflaredOutput.MAX_REASON_LENGTH, reason.length());
        assertTrue(reason.endsWith("..."), reason);
        assertFalse(reason.contains("\u0007"));
    }
}
