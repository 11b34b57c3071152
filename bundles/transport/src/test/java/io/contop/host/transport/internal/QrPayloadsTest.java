package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingToken;
import io.contop.host.api.Provider;
import io.contop.host.api.ProviderCredential;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QrPayloadsTest {
    private static final PairingToken TOKEN = new PairingToken("6f1c2b9e-3d4a-4f5b-8c7d-1e2f3a4b5c6d", "phone",
            ConnectionType.PERMANENT, Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-31T00:00:00Z"),
            new DtlsIdentity("cert", "key", "AB:CD", Instant.parse("2027-01-01T00:00:00Z")), null);

    @Test
    void throwingPathIsLeftOut() {
        List<NetworkPath> paths = List.of(path("lan", "h", "192.168.1.20"), new ThrowingPath(), path("tailscale", "ts", "100.64.1.2"));
        Map<String, Object> fields = QrPayloads.build(TOKEN, 8000, paths,
                List.of(new ProviderCredential(Provider.GEMINI, "key-1", false)), "2026-01-31T00:00:00.000000+00:00").fields();

        assertEquals("192.168.1.20", fields.get("h"));
        assertEquals("100.64.1.2", fields.get("ts"));
        assertEquals("ABCD", fields.get("d"));
        assertFalse(fields.containsKey("x"));
    }

    @Test
    void throwingLanPathLeavesHostEmpty() {
        Map<String, Object> fields = QrPayloads.build(TOKEN, 8000, List.of(new ThrowingPath()),
                List.of(new ProviderCredential(Provider.GEMINI, "key-1", false)), "e").fields();
        assertEquals("", fields.get("h"));
    }

    private static NetworkPath path(String id, String key, String address) {
        return new NetworkPath() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String qrKey() {
                return key;
            }

            @Override
            public Optional<String> currentAddress() {
                return Optional.of(address);
            }
        };
    }

    /** A path bundle with a bug: its address lookup throws. */
    private static final class ThrowingPath implements NetworkPath {
        @Override
        public String id() {
            return "broken";
        }

        @Override
        public String qrKey() {
            return "x";
        }

        @Override
        public Optional<String> currentAddress() {
            throw new IllegalStateException("detection crashed");
        }
    }
}
