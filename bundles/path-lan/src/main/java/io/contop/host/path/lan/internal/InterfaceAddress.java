package io.contop.host.path.lan.internal;

import java.net.Inet4Address;

/**
 * An IPv4 address of a network interface that is up.
 *
 * @param interfaceName the interface name, such as {@code eth0}
 * @param address the address
 */
record InterfaceAddress(String interfaceName, Inet4Address address) {
}
