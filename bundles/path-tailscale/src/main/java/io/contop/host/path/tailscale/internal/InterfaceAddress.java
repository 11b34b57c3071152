package io.contop.host.path.tailscale.internal;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An IPv4 address of a network interface that is up.
 *
 * @param interfaceName the interface name, such as {@code tailscale0}
 * @param address the address
 */
record InterfaceAddress(String interfaceName, Inet4Address address) {

    /** Lists the IPv4 addresses of the interfaces that are up. */
    static List<InterfaceAddress> list() throws SocketException {
        List<InterfaceAddress> result = new ArrayList<>();
        for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!networkInterface.isUp()) {
                continue;
            }
            for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
                if (address instanceof Inet4Address ipv4) {
                    result.add(new InterfaceAddress(networkInterface.getName(), ipv4));
                }
            }
        }
        return result;
    }
}
