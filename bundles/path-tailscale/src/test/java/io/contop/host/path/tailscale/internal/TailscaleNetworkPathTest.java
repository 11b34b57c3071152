package io.contop.host.path.tailscale.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailscaleNetworkPathTest {

    @TempDir
    Path directory;

    @Test
    void cliAddressIsCached() throws Exception {
        Path fake = fakeCli("echo 100.74.70.3");
        TailscaleNetworkPath path = new TailscaleNetworkPath(config(true, fake.toString()), List::of);
        try {
            assertEquals(Optional.of("100.74.70.3"), awaitAddress(path));
            assertEquals("ts", path.qrKey());
            assertEquals("tailscale", path.id());
        } finally {
            path.deactivate();
        }
    }

    @Test
    void failingCliFallsBackToTailscaleInterface() throws Exception {
        Path fake = fakeCli("echo 'Tailscale is stopped.'; exit 1");
        List<InterfaceAddress> interfaces = List.of(address("eth0", "100.70.0.9"), address("wlan0", "192.168.50.7"),
                address("tailscale0", "100.96.1.2"));
        TailscaleNetworkPath path = new TailscaleNetworkPath(config(true, fake.toString()), () -> interfaces);
        try {
            assertEquals(Optional.of("100.96.1.2"), awaitAddress(path));
        } finally {
            path.deactivate();
        }
    }

    @Test
    void cliAddressWinsOverInterface() throws Exception {
        Path fake = fakeCli("echo 100.74.70.3");
        TailscaleNetworkPath path = new TailscaleNetworkPath(config(true, fake.toString()),
                () -> List.of(address("tailscale0", "100.96.1.2")));
        try {
            path.detect();
            assertEquals(Optional.of("100.74.70.3"), path.currentAddress());
        } finally {
            path.deactivate();
        }
    }

    @Test
    void noCliAndNoInterfaceMeansNoAddress() throws Exception {
        TailscaleNetworkPath path = new TailscaleNetworkPath(config(true, directory.resolve("absent").toString()),
                () -> List.of(address("eth0", "100.70.0.9"), address("tailscale0", "192.168.1.1")));
        try {
            path.detect();
            assertEquals(Optional.empty(), path.currentAddress());
        } finally {
            path.deactivate();
        }
    }

    @Test
    void disabledPathNeverRunsCli() throws Exception {
        Path marker = directory.resolve("ran");
        Path fake = fakeCli("touch '" + marker + "'\necho 100.74.70.3");
        TailscaleNetworkPath path = new TailscaleNetworkPath(config(false, fake.toString()),
                () -> List.of(address("tailscale0", "100.96.1.2")));
        Thread.sleep(300);

        assertEquals(Optional.empty(), path.currentAddress());
        assertFalse(Files.exists(marker), "the CLI ran although the path is disabled");
        path.deactivate();
    }

    @Test
    void invalidConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TailscaleNetworkPath(config(true, " "), List::of));
        assertThrows(IllegalArgumentException.class,
                () -> new TailscaleNetworkPath(config(true, "tailscale", 0, 30), List::of));
        assertThrows(IllegalArgumentException.class,
                () -> new TailscaleNetworkPath(config(true, "tailscale", 2, 0), List::of));
    }

    private static Optional<String> awaitAddress(TailscaleNetworkPath path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (path.currentAddress().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return path.currentAddress();
    }

    private Path fakeCli(String body) throws IOException {
        Path file = directory.resolve("tailscale");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** Builds an interface address from an IP literal, which never causes a name lookup. */
    private static InterfaceAddress address(String name, String ip) {
        try {
            return new InterfaceAddress(name, (Inet4Address) InetAddress.getByName(ip));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private static TailscaleNetworkPath.Config config(boolean enabled, String binary) {
        return config(enabled, binary, 2, 3600);
    }

    private static TailscaleNetworkPath.Config config(boolean enabled, String binary, int timeoutSeconds,
            int refreshSeconds) {
        return new TailscaleNetworkPath.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TailscaleNetworkPath.Config.class;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public String binary() {
                return binary;
            }

            @Override
            public int timeout_seconds() {
                return timeoutSeconds;
            }

            @Override
            public int refresh_seconds() {
                return refreshSeconds;
            }
        };
    }
}
