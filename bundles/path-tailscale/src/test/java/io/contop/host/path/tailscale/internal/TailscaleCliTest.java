package io.contop.host.path.tailscale.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailscaleCliTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path directory;

    @Test
    void addressBeforeIpv6LineIsTaken() throws Exception {
        Path fake = fakeCli("printf '100.74.70.3\\nfd7a:115c:a1e0::4b01:4a03\\n'");

        TailscaleCli.Result result = new TailscaleCli(fake.toString(), TIMEOUT).run();

        assertEquals(TailscaleCli.Status.FOUND, result.status(), result.detail());
        assertEquals(Optional.of("100.74.70.3"), result.address());
    }

    @Test
    void warningsAndBlankLinesAreSkipped() throws Exception {
        Path fake = fakeCli("echo 'Warning: client version \"1.60.0\" != tailscaled server version \"1.62.1\"'\n"
                + "echo\necho '  100.101.102.103  '\necho 100.90.1.1");

        TailscaleCli.Result result = new TailscaleCli(fake.toString(), TIMEOUT).run();

        assertEquals(Optional.of("100.101.102.103"), result.address());
    }

    @Test
    void nonZeroExitMeansNoAddress() throws Exception {
        Path fake = fakeCli("echo 100.74.70.3\necho 'Tailscale is stopped.' >&2\nexit 1");

        TailscaleCli.Result result = new TailscaleCli(fake.toString(), TIMEOUT).run();

        assertEquals(TailscaleCli.Status.FAILED, result.status());
        assertEquals(Optional.empty(), result.address());
        assertTrue(result.detail().contains("exit status 1"), result.detail());
        assertTrue(result.detail().contains("Tailscale is stopped."), result.detail());
    }

    @Test
    void outputWithoutTailscaleAddressMeansNoAddress() throws Exception {
        Path fake = fakeCli("echo 192.168.1.20\necho fd7a:115c:a1e0::1");

        TailscaleCli.Result result = new TailscaleCli(fake.toString(), TIMEOUT).run();

        assertEquals(TailscaleCli.Status.NO_ADDRESS, result.status());
        assertEquals(Optional.empty(), result.address());
    }

    @Test
    void hangingCliIsKilledWithItsChildren() throws Exception {
        Path parentPid = directory.resolve("parent.pid");
        Path childPid = directory.resolve("child.pid");
        Path fake = fakeCli("echo $$ > '" + parentPid + "'\nsleep 600 &\necho $! > '" + childPid + "'\nwait");

        long start = System.nanoTime();
        TailscaleCli.Result result = new TailscaleCli(fake.toString(), TIMEOUT).run();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(TailscaleCli.Status.TIMED_OUT, result.status());
        assertEquals(Optional.empty(), result.address());
        assertTrue(elapsed.compareTo(TIMEOUT.plusMillis(1500)) < 0, "run took " + elapsed);
        assertGone(parentPid);
        assertGone(childPid);
    }

    @Test
    void missingBinaryIsNotRunnable() {
        TailscaleCli.Result result = new TailscaleCli(directory.resolve("absent").toString(), TIMEOUT).run();

        assertEquals(TailscaleCli.Status.NOT_RUNNABLE, result.status());
        assertEquals(Optional.empty(), result.address());
    }

    @Test
    void onlyCarrierGradeNatAddressesAreAccepted() {
        assertTrue(TailscaleCli.isTailscaleAddress("100.64.0.0"));
        assertTrue(TailscaleCli.isTailscaleAddress("100.127.255.255"));
        assertTrue(TailscaleCli.isTailscaleAddress("100.96.1.2"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.63.255.255"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.128.0.1"));
        assertFalse(TailscaleCli.isTailscaleAddress("192.168.1.2"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.074.70.3"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.74.70.300"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.74.70.3.1"));
        assertFalse(TailscaleCli.isTailscaleAddress("100.74.70"));
        assertFalse(TailscaleCli.isTailscaleAddress("fd7a:115c:a1e0::1"));
        assertFalse(TailscaleCli.isTailscaleAddress(""));
    }

    @Test
    void parseSkipsLinesThatOnlyContainAnAddress() {
        assertEquals(Optional.empty(), TailscaleCli.parseAddress("ip: 100.74.70.3\n"));
        assertEquals(Optional.of("100.74.70.3"), TailscaleCli.parseAddress("\r\n100.74.70.3\r\n"));
    }

    private Path fakeCli(String body) throws IOException {
        Path file = directory.resolve("tailscale");
        Files.writeString(file, "#!/bin/sh\n[ \"$1 $2\" = \"ip -4\" ] || { echo \"unexpected arguments: $*\" >&2; exit 64; }\n"
                + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /** Asserts that the process whose id the fake wrote to {@code pidFile} no longer runs. */
    private static void assertGone(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " still runs");
    }
}
