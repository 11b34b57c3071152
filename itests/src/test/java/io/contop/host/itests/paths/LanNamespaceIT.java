package io.contop.host.itests.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.itests.support.ExternalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LAN and Tailscale address selection of the whole daemon, run inside a network namespace whose
 * interfaces the test creates: {@code tailscale0} 100.96.1.2/10, {@code wlan0} 192.168.50.7/24
 * with the default route, and the container-bridge-like {@code br-test} 172.17.0.1/16.
 *
 * <p>Every interface is one end of a veth pair whose other end stays in the namespace without an
 * address: veth interfaces are up and running like real ones (a bridge without ports is down,
 * and the dummy driver is missing on some kernels). Requires root and {@code ip} from iproute2.
 */
class LanNamespaceIT {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration DETECTION_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path directory;

    private String namespace;

    @BeforeEach
    void createNamespace() {
        namespace = "ctplan" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        ip("netns", "add", namespace);
        try {
            ip("-n", namespace, "link", "set", "lo", "up");
            addInterface("tailscale0", "ts-peer", "100.96.1.2/10");
            addInterface("wlan0", "wlan-peer", "192.168.50.7/24");
            addInterface("br-test", "br-peer", "172.17.0.1/16");
            ip("-n", namespace, "route", "add", "default", "dev", "wlan0");
        } catch (RuntimeException e) {
            deleteNamespace();
            throw e;
        }
    }

    @AfterEach
    void deleteNamespace() {
        if (namespace != null) {
            ExternalCommand.run(Duration.ofSeconds(10), List.of("ip", "netns", "delete", namespace));
            namespace = null;
        }
    }

    @Test
    void defaultRouteInterfaceIsChosen() throws Exception {
        Path guards = directory.resolve("guards");
        String path = PathTesting.guardedPath(guards).get("PATH");
        try (NamespacedDaemon daemon = new NamespacedDaemon(namespace, directory.resolve("daemon"), Map.of(
                "io.contop.host.path.lan.cfg", "refresh.seconds=1\n",
                "io.contop.host.path.tailscale.cfg", "refresh.seconds=1\n"))) {
            daemon.start(path);

            JsonNode payload = awaitPayload(daemon, qr -> "192.168.50.7".equals(qr.path("h").asText()),
                    "h is the default route's 192.168.50.7");
            assertEquals(NamespacedDaemon.PORT, payload.get("p").asInt());
            // The guard tailscale CLI reports Tailscale as stopped, so ts comes from tailscale0.
            assertEquals("100.96.1.2", payload.path("ts").asText(), PathTesting.keys(payload));
            assertFalse(daemon.log().contains("No default route"), daemon.log());

            ip("-n", namespace, "route", "del", "default");
            awaitLog(daemon, "No default route; using private address 192.168.50.7 on wlan0");
            JsonNode withoutRoute = daemon.pairingPayload();
            assertEquals("192.168.50.7", withoutRoute.get("h").asText());

            ip("-n", namespace, "addr", "del", "192.168.50.7/24", "dev", "wlan0");
            awaitLog(daemon, "No LAN address found");
            JsonNode withoutLan = daemon.pairingPayload();
            assertFalse(withoutLan.get("h").asText().startsWith("127."), withoutLan.get("h").asText());
            assertEquals("", withoutLan.get("h").asText(), "only excluded interfaces remain");
        }
    }

    private JsonNode awaitPayload(NamespacedDaemon daemon, Predicate<JsonNode> condition,
            String expectation) throws Exception {
        long deadline = System.nanoTime() + DETECTION_TIMEOUT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = daemon.pairingPayload();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        return fail("no QR payload where " + expectation + " within " + DETECTION_TIMEOUT + "; last h "
                + (last == null ? "(none)" : last.path("h").asText()) + "\nLog:\n" + daemon.log());
    }

    private static void awaitLog(NamespacedDaemon daemon, String text) throws InterruptedException {
        long deadline = System.nanoTime() + DETECTION_TIMEOUT.toNanos();
        while (!daemon.log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (!daemon.log().contains(text)) {
            fail("the daemon did not log \"" + text + "\" within " + DETECTION_TIMEOUT + ". Log:\n" + daemon.log());
        }
    }

    /** Adds {@code name} with {@code address} and its address-less veth peer, both up, to the namespace. */
    private void addInterface(String name, String peer, String address) {
        ip("-n", namespace, "link", "add", name, "type", "veth", "peer", "name", peer);
        ip("-n", namespace, "addr", "add", address, "dev", name);
        ip("-n", namespace, "link", "set", peer, "up");
        ip("-n", namespace, "link", "set", name, "up");
    }

    private static void ip(String... arguments) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(arguments));
        ExternalCommand.runOrFail("ip " + String.join(" ", arguments)
                + " (tests that create network namespaces must run as root)", argv);
    }
}
