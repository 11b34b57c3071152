package io.contop.host.path.lan.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanAddressSelectorTest {

    @Test
    void defaultRouteInterfaceWins() throws Exception {
        List<InterfaceAddress> addresses = List.of(address("tailscale0", "100.96.1.2"),
                address("docker0", "172.17.0.1"), address("eth1", "10.0.0.5"), address("wlan0", "192.168.50.7"));
        LanAddressSelector.Selection selection = LanAddressSelector.select(addresses, Optional.of("eth1")).orElseThrow();

        assertEquals("10.0.0.5", selection.address().address().getHostAddress());
        assertTrue(selection.viaDefaultRoute());
    }

    @Test
    void withoutDefaultRoutePrivateAddressIsChosen() throws Exception {
        List<InterfaceAddress> addresses = List.of(address("lo", "127.0.0.1"), address("br-1a2b", "172.18.0.1"),
                address("eth0", "10.1.2.3"), address("wlan0", "192.168.1.9"), address("wg0", "192.168.99.1"));
        LanAddressSelector.Selection selection = LanAddressSelector.select(addresses, Optional.empty()).orElseThrow();

        assertEquals("192.168.1.9", selection.address().address().getHostAddress());
        assertFalse(selection.viaDefaultRoute());
    }

    @Test
    void excludedInterfacesAreNeverChosen() throws Exception {
        List<InterfaceAddress> addresses = List.of(address("lo", "127.0.0.1"), address("eth0", "169.254.3.4"),
                address("veth12", "10.9.9.9"), address("virbr0", "192.168.122.1"), address("tun0", "10.8.0.2"),
                address("utun3", "10.8.0.3"), address("eth1", "100.70.0.1"));
        assertTrue(LanAddressSelector.select(addresses, Optional.of("eth1")).isEmpty());
    }

    @Test
    void defaultRouteIsReadFromProcNetRoute(@TempDir Path directory) throws Exception {
        Path route = directory.resolve("route");
        Files.writeString(route, String.join("\n",
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "wlan0\t00000000\t0132A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
                "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
                "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0", ""));
        assertEquals(Optional.of("eth0"), LanAddressSelector.defaultRouteInterface(route));
    }

    @Test
    void missingRouteFileMeansNoDefaultRoute(@TempDir Path directory) {
        assertEquals(Optional.empty(), LanAddressSelector.defaultRouteInterface(directory.resolve("absent")));
    }

    private static InterfaceAddress address(String name, String ip) throws Exception {
        return new InterfaceAddress(name, (Inet4Address) InetAddress.getByName(ip));
    }
}
