package io.contop.host.path.tunnel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.TunnelUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickTunnelTest {
    private static final int ORIGIN_PORT = 45678;
    private static final String TUNNEL_URL = "https://" + FakeCloudflared.TUNNEL_HOST;

    @TempDir
    Path directory;

    private final List<QuickTunnel> tunnels = new ArrayList<>();

    @AfterEach
    void closeTunnels() {
        tunnels.forEach(QuickTunnel::close);
    }

    @Test
    void urlIsReadFromBoxAfterApiError() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.working(), Duration.ofSeconds(10));

        assertEquals(TUNNEL_URL, tunnel.start().get(10, TimeUnit.SECONDS));
        assertEquals(Optional.of(TUNNEL_URL), tunnel.url());
    }

    @Test
    void invocationIsIsolatedFromUserConfiguration() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = new QuickTunnel(settings(fake.working(), Duration.ofSeconds(10)), () -> ORIGIN_PORT,
                Map.of("PATH", System.getenv("PATH"), "HOME", "/home/user", "GEMINI_API_KEY", "secret-key",
                        "TUNNEL_TOKEN", "user-tunnel-token"), "test.pid");
        tunnels.add(tunnel);
        tunnel.start().get(10, TimeUnit.SECONDS);

        List<String> argv = fake.argv();
        assertEquals("tunnel", argv.get(0));
        assertEquals("http://127.0.0.1:" + ORIGIN_PORT, argv.get(argv.indexOf("--url") + 1));
        assertTrue(argv.contains("--no-autoupdate"), argv.toString());
        Path config = Path.of(argv.get(argv.indexOf("--config") + 1));
        assertEquals(IsolatedEnvironment.CONFIG_CONTENT, Files.readString(config));

        List<String> environment = fake.environment();
        String home = value(environment, "HOME");
        assertNotEquals("/home/user", home);
        assertTrue(home.startsWith(config.getParent().toString()), home);
        assertEquals(null, value(environment, "GEMINI_API_KEY"));
        assertEquals(null, value(environment, "TUNNEL_TOKEN"));
    }

    @Test
    void rateLimitFailsAtOnceWithReason() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.rateLimited(), Duration.ofSeconds(30));

        long start = System.nanoTime();
        TunnelUnavailableException failure = failure(tunnel.start());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(elapsed.compareTo(Duration.ofSeconds(5)) < 0, "failing took " + elapsed);
        assertTrue(failure.getMessage().contains("exited with status 1"), failure.getMessage());
        assertTrue(failure.getMessage().contains("429 Too Many Requests"), failure.getMessage());
        assertFalse(failure.getMessage().contains("2025-03-14T"), "timestamp left in: " + failure.getMessage());
        assertEquals(Optional.empty(), tunnel.url());
    }

    @Test
    void silentProcessFailsAfterDeadlineAndIsKilled() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.silent(), Duration.ofMillis(700));

        long start = System.nanoTime();
        TunnelUnavailableException failure = failure(tunnel.start());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(elapsed.compareTo(Duration.ofMillis(650)) > 0, "failed too early: " + elapsed);
        assertTrue(failure.getMessage().contains("no tunnel URL within"), failure.getMessage());
        FakeCloudflared.assertGone(fake.pid());
    }

    @Test
    void closeKillsProcessAndChild() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.working(), Duration.ofSeconds(10));
        tunnel.start().get(10, TimeUnit.SECONDS);
        awaitFile(directory.resolve("child.pid"));
        long pid = fake.pid();
        long child = fake.childPid();
        assertTrue(FakeCloudflared.isAlive(pid));

        tunnel.close();

        FakeCloudflared.assertGone(pid);
        FakeCloudflared.assertGone(child);
        assertEquals(Optional.empty(), tunnel.url());
        assertTrue(failure(tunnel.start()).getMessage().contains("stopping"));
    }

    @Test
    void secondStartReusesRunningTunnel() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.working(), Duration.ofSeconds(10));

        String first = tunnel.start().get(10, TimeUnit.SECONDS);
        String second = tunnel.start().get(10, TimeUnit.SECONDS);

        assertEquals(first, second);
        assertEquals(1, fake.runs());
    }

    @Test
    void concurrentStartsShareOneProcess() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        List<String> lines = new ArrayList<>(FakeCloudflared.preamble());
        lines.addAll(FakeCloudflared.box(TUNNEL_URL));
        Path script = fake.write("sleep 0.5\n" + FakeCloudflared.printToStderr(lines) + "exec sleep 600\n");
        QuickTunnel tunnel = tunnel(script, Duration.ofSeconds(10));

        CompletableFuture<String> first = tunnel.start();
        CompletableFuture<String> second = tunnel.start();

        assertEquals(TUNNEL_URL, first.get(10, TimeUnit.SECONDS));
        assertEquals(TUNNEL_URL, second.get(10, TimeUnit.SECONDS));
        assertEquals(1, fake.runs());
    }

    @Test
    void failedStartBacksOff() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = tunnel(fake.rateLimited(), Duration.ofSeconds(10));

        failure(tunnel.start());
        TunnelUnavailableException rejected = failure(tunnel.start());
        assertEquals(1, fake.runs(), "a start during the back-off must not run cloudflared");
        assertTrue(rejected.getMessage().contains("next attempt allowed in"), rejected.getMessage());
        assertTrue(rejected.getMessage().contains("429 Too Many Requests"), rejected.getMessage());

        Thread.sleep(300);
        failure(tunnel.start());
        assertEquals(2, fake.runs(), "a start after the back-off runs cloudflared again");

        failure(tunnel.start());
        assertEquals(2, fake.runs(), "the doubled back-off still rejects an immediate start");
    }

    @Test
    void droppedTunnelRestartsWithNewUrl() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        String secondUrl = "https://brave-otter-lantern-quartz.trycloudflare.com";
        Path runs = directory.resolve("runs");
        Path script = fake.write("if [ \"$(wc -l < '" + runs + "')\" -eq 1 ]; then\n"
                + FakeCloudflared.printToStderr(FakeCloudflared.box(TUNNEL_URL))
                + "sleep 0.3\necho '2025-03-14T09:27:00Z ERR Connection terminated error=\"EOF\"' >&2\nexit 0\nfi\n"
                + FakeCloudflared.printToStderr(FakeCloudflared.box(secondUrl)) + "exec sleep 600\n");
        QuickTunnel tunnel = tunnel(script, Duration.ofSeconds(10));

        assertEquals(TUNNEL_URL, tunnel.start().get(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!tunnel.url().equals(Optional.of(secondUrl)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertEquals(Optional.of(secondUrl), tunnel.url());
        assertEquals(2, fake.runs());
    }

    @Test
    void missingBinaryFailsAtOnce() {
        QuickTunnel tunnel = tunnel(directory.resolve("absent"), Duration.ofSeconds(10));

        TunnelUnavailableException failure = failure(tunnel.start());

        assertTrue(failure.getMessage().startsWith("Cannot run cloudflared"), failure.getMessage());
        assertTrue(failure.getMessage().contains("test.pid"), failure.getMessage());
    }

    @Test
    void disabledTunnelNeverStarts() throws Exception {
        FakeCloudflared fake = new FakeCloudflared(directory);
        QuickTunnel tunnel = new QuickTunnel(new QuickTunnel.Settings(false, fake.working().toString(),
                Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(1)), () -> ORIGIN_PORT, Map.of(),
                "test.pid");
        tunnels.add(tunnel);

        assertTrue(failure(tunnel.start()).getMessage().contains("disabled"));
        assertEquals(0, fake.runs());
    }

    private QuickTunnel tunnel(Path binary, Duration startTimeout) {
        QuickTunnel tunnel = new QuickTunnel(settings(binary, startTimeout), () -> ORIGIN_PORT,
                Map.of("PATH", System.getenv("PATH")), "test.pid");
        tunnels.add(tunnel);
        return tunnel;
    }

    private static QuickTunnel.Settings settings(Path binary, Duration startTimeout) {
        return new QuickTunnel.Settings(true, binary.toString(), startTimeout, Duration.ofMillis(200),
                Duration.ofSeconds(1));
    }

    /** Waits for {@code stage} to fail and returns the {@link TunnelUnavailableException} it failed with. */
    private static TunnelUnavailableException failure(CompletableFuture<String> stage) {
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> stage.get(10, TimeUnit.SECONDS));
        Throwable cause = thrown.getCause();
        while (!(cause instanceof TunnelUnavailableException) && cause != null && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return assertInstanceOf(TunnelUnavailableException.class, cause);
    }

    private static String value(List<String> environment, String name) {
        for (String entry : environment) {
            if (entry.startsWith(name + "=")) {
                return entry.substring(name.length() + 1);
            }
        }
        return null;
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(file), file + " was not written");
    }
}
