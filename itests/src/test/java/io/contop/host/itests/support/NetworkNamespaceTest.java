package io.contop.host.itests.support;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkNamespaceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void namespaceIsReachableFromRoot() {
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            assertTrue(namespaces().contains(namespace.name()), "ip netns list should contain " + namespace.name());

            ExternalCommand.Result ping = ExternalCommand.run(TIMEOUT,
                    List.of("ping", "-c", "1", "-W", "1", namespace.phoneAddress()));
            assertEquals(0, ping.exitCode(), "ping from root to the namespace: " + ping.stdout() + ping.stderr());

            ExternalCommand.Result pingBack = ExternalCommand.run(TIMEOUT,
                    namespace.command("ping", "-c", "1", "-W", "1", namespace.hostAddress()));
            assertEquals(0, pingBack.exitCode(), "ping from the namespace to root: " + pingBack.stdout() + pingBack.stderr());
        }
    }

    @Test
    void namespaceHasNoDefaultRoute() {
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            ExternalCommand.Result routes = ExternalCommand.run(TIMEOUT, namespace.command("ip", "route", "show"));
            assertEquals(0, routes.exitCode(), routes.stderr());
            assertFalse(routes.stdout().contains("default"), "routes in the namespace: " + routes.stdout());

            ExternalCommand.Result loopback = ExternalCommand.run(TIMEOUT, namespace.command("ip", "-o", "link", "show", "lo"));
            assertTrue(loopback.stdout().contains("UP"), "lo in the namespace should be up: " + loopback.stdout());
        }
    }

    @Test
    void closeRemovesNamespaceAndAddress() {
        NetworkNamespace namespace = new NetworkNamespace();
        namespace.close();

        assertFalse(namespaces().contains(namespace.name()), "ip netns list still contains " + namespace.name());
        String rootAddresses = ExternalCommand.runOrFail("ip addr show", List.of("ip", "-o", "-4", "addr", "show"));
        assertFalse(rootAddresses.contains(" " + namespace.hostAddress() + "/"),
                "root namespace still has " + namespace.hostAddress() + ": " + rootAddresses);
        assertDoesNotThrow(namespace::close, "a second close must do nothing");
    }

    @Test
    void concurrentNamespacesUseDistinctSubnets() {
        try (NetworkNamespace first = new NetworkNamespace(); NetworkNamespace second = new NetworkNamespace()) {
            assertNotEquals(first.name(), second.name());
            assertNotEquals(first.hostAddress(), second.hostAddress());
        }
    }

    @Test
    void commandPrefixesIpNetnsExec() {
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            assertEquals(List.of("ip", "netns", "exec", namespace.name(), "true"), namespace.command("true"));
        }
    }

    private static String namespaces() {
        return ExternalCommand.runOrFail("ip netns list", List.of("ip", "netns", "list"));
    }
}
