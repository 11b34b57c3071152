package io.contop.host.path.tunnel.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverTunnelsTest {

    @TempDir
    Path directory;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killStarted() {
        started.forEach(process -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        });
    }

    @Test
    void configOwnerIsParsedFromConfigArgument() {
        assertEquals(OptionalLong.of(123), LeftoverTunnels.configOwner(new String[] {"tunnel", "--config",
            "/tmp/contop-cloudflared-123-8812/config.yml", "--url", "http://127.0.0.1:4000"}));
        assertEquals(OptionalLong.empty(), LeftoverTunnels.configOwner(new String[] {"tunnel", "--config",
            "/home/user/.cloudflared/config.yml"}));
        assertEquals(OptionalLong.empty(), LeftoverTunnels.configOwner(new String[] {"tunnel", "--url",
            "/tmp/contop-cloudflared-123-8812/config.yml"}));
        assertEquals(OptionalLong.empty(), LeftoverTunnels.configOwner(new String[] {"--config"}));
    }

    @Test
    void tunnelOfDeadDaemonIsStopped() throws Exception {
        long deadPid = deadPid();
        Process leftover = fakeCloudflared(deadPid);
        Process ownTunnel = fakeCloudflared(ProcessHandle.current().pid());
        awaitChild(leftover);
        long leftoverChild = leftover.descendants().findFirst().orElseThrow().pid();

        int stopped = LeftoverTunnels.stopProcesses();

        assertTrue(stopped >= 1, "stopped " + stopped);
        assertTrue(leftover.waitFor(2, TimeUnit.SECONDS), "the leftover cloudflared still runs");
        FakeCloudflared.assertGone(leftoverChild);
        assertTrue(ownTunnel.isAlive(), "the cloudflared of a running daemon was stopped");
    }

    @Test
    void directoryOfDeadDaemonIsDeleted() throws Exception {
        Path leftover = Files.createDirectory(directory.resolve(LeftoverTunnels.directoryPrefix(deadPid()) + "1"));
        Files.writeString(leftover.resolve("config.yml"), IsolatedEnvironment.CONFIG_CONTENT);
        Path ownDirectory = Files.createDirectory(
                directory.resolve(LeftoverTunnels.directoryPrefix(ProcessHandle.current().pid()) + "2"));

        LeftoverTunnels.deleteDirectories(directory);

        assertFalse(Files.exists(leftover), "the leftover directory was kept");
        assertTrue(Files.exists(ownDirectory), "the directory of a running daemon was deleted");
    }

    /** Starts a fake cloudflared with a child process, whose --config names daemon {@code ownerPid}. */
    private Process fakeCloudflared(long ownerPid) throws Exception {
        Path home = Files.createDirectories(directory.resolve(LeftoverTunnels.directoryPrefix(ownerPid) + "x"));
        Path script = new FakeCloudflared(Files.createTempDirectory(directory, "fake")).write("sleep 600 &\nwait\n");
        Process process = new ProcessBuilder(script.toString(), "tunnel", "--config",
                home.resolve("config.yml").toString(), "--url", "http://127.0.0.1:4000", "--no-autoupdate").start();
        started.add(process);
        return process;
    }

    /** Returns the process id of a process that has already exited. */
    private static long deadPid() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }

    private static void awaitChild(Process process) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (process.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(process.descendants().findAny().isPresent(), "the fake started no child");
    }
}
