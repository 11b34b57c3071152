package io.contop.host.itests.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drop-in example bundle: copying {@code examples/contop-host-path-public.jar} into the
 * running daemon's {@code deploy/} directory adds {@code pf} to the next QR code without a
 * restart, and deleting the jar removes it.
 */
class DropInPathIT {
    private static final String ADDRESS = "contop.example.test:8443";
    private static final String JAR = "contop-host-path-public.jar";
    private static final Duration DEPLOY_TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path directory;

    @Test
    void jarInDeployAddsAndRemovesKey() throws Exception {
        Path jar = DaemonProcess.distribution().resolve("examples").resolve(JAR);
        assertTrue(Files.isRegularFile(jar), "the distribution has no " + jar);
        Map<String, String> environment = new HashMap<>(PathTesting.guardedPath(directory.resolve("guards")));
        environment.put("CONTOP_PUBLIC_ADDRESS", ADDRESS);
        try (DaemonProcess daemon = DaemonProcess.start(environment)) {
            assertFalse(PathTesting.payload(daemon, "permanent").has("pf"), "pf before the jar was deployed");
            Path deploy = daemon.installation().resolve("deploy");

            // Copied under a name FileInstall ignores, then renamed, so it never installs half a jar.
            Files.copy(jar, deploy.resolve(JAR + ".part"));
            Files.move(deploy.resolve(JAR + ".part"), deploy.resolve(JAR), StandardCopyOption.ATOMIC_MOVE);
            long start = System.nanoTime();
            JsonNode deployed = PathTesting.awaitPayload(daemon, "permanent", qr -> qr.has("pf"), DEPLOY_TIMEOUT,
                    "pf is present after the jar was copied into deploy/");
            System.out.println("pf appeared " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                    + " ms after the jar was copied");
            assertEquals(ADDRESS, deployed.get("pf").asText());
            JsonNode info = PathTesting.json(daemon.get("/api/connection-info"));
            assertEquals(ADDRESS, info.get("network_paths").get("public").asText(), info.toString());

            Files.delete(deploy.resolve(JAR));
            start = System.nanoTime();
            PathTesting.awaitPayload(daemon, "permanent", qr -> !qr.has("pf"), DEPLOY_TIMEOUT,
                    "pf is gone after the jar was deleted");
            System.out.println("pf disappeared " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                    + " ms after the jar was deleted");
            assertFalse(PathTesting.json(daemon.get("/api/connection-info")).get("network_paths").has("public"));
        }
    }
}
