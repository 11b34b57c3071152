package io.contop.host.path.tunnel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.ConnectionType;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudflaredTunnelPathTest {
    private static final String SIGNALING_URL = "wss://" + FakeCloudflared.TUNNEL_HOST + "/ws/signaling";

    @TempDir
    Path directory;

    @Test
    void onlyTempQrCodesCarryTunnel() throws Exception {
        CloudflaredTunnelPath path = new CloudflaredTunnelPath(() -> 45678, config(
                new FakeCloudflared(directory).working().toString(), false));
        try {
            assertEquals("s", path.qrKey());
            assertEquals("tunnel", path.id());
            assertTrue(path.appliesTo(ConnectionType.TEMP));
            assertFalse(path.appliesTo(ConnectionType.PERMANENT));
            assertEquals(Optional.empty(), path.currentAddress());

            path.start().toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertEquals(Optional.of(SIGNALING_URL), path.currentAddress());
            assertEquals(Optional.of("https://" + FakeCloudflared.TUNNEL_HOST), path.url());
        } finally {
            path.deactivate();
        }
    }

    @Test
    void tempQrCodeStartsTunnelWhenConfigured() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        CloudflaredTunnelPath path = new CloudflaredTunnelPath(() -> 45678, config(fake.working().toString(), true));
        try {
            assertFalse(path.appliesTo(ConnectionType.PERMANENT));
            assertEquals(0, fake.runs(), "a permanent QR code must not start the tunnel");

            assertTrue(path.appliesTo(ConnectionType.TEMP));

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (path.currentAddress().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(Optional.of(SIGNALING_URL), path.currentAddress());
        } finally {
            path.deactivate();
        }
    }

    @Test
    void deactivateStopsCloudflared() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        CloudflaredTunnelPath path = new CloudflaredTunnelPath(() -> 45678, config(fake.working().toString(), false));
        path.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long pid = fake.pid();

        path.deactivate();

        FakeCloudflared.assertGone(pid);
    }

    @Test
    void invalidConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new CloudflaredTunnelPath(() -> 45678, config(" ", false)));
    }

    @Test
    void signalingUrlKeepsHostOnly() {
        assertEquals("wss://a-b.trycloudflare.com/ws/signaling",
                CloudflaredTunnelPath.signalingUrl("https://a-b.trycloudflare.com"));
    }

    private static CloudflaredTunnelPath.Config config(String binary, boolean startOnTempPairing) {
        return new CloudflaredTunnelPath.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CloudflaredTunnelPath.Config.class;
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String binary() {
                return binary;
            }

            @Override
            public int start_timeout_seconds() {
                return 10;
            }

            @Override
            public int restart_delay_seconds() {
                return 1;
            }

            @Override
            public int restart_max_delay_seconds() {
                return 2;
            }

            @Override
            public boolean start_on_temp_pairing() {
                return startOnTempPairing;
            }
        };
    }
}
