package io.contop.host.path.lan.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the LAN address for the QR code: the IPv4 address of the interface that carries the
 * default route, else the best remaining private address. Loopback, link-local, container
 * bridges, Tailscale and VPN tunnel interfaces are never chosen.
 */
final class LanAddressSelector {
    private static final List<String> EXCLUDED_PREFIXES =
            List.of("lo", "docker", "br-", "veth", "virbr", "tailscale", "wg", "tun", "utun");

    /** The chosen address and whether it came from the default route. */
    record Selection(InterfaceAddress address, boolean viaDefaultRoute) {
    }

    private LanAddressSelector() {
    }

    static Optional<Selection> select(List<InterfaceAddress> addresses, Optional<String> defaultRouteInterface) {
        List<InterfaceAddress> usable = addresses.stream().filter(LanAddressSelector::isUsable).toList();
        if (defaultRouteInterface.isPresent()) {
            for (InterfaceAddress candidate : usable) {
                if (candidate.interfaceName().equals(defaultRouteInterface.get())) {
                    return Optional.of(new Selection(candidate, true));
                }
            }
        }
        return usable.stream()
                .min(Comparator.comparingInt(LanAddressSelector::privateRank))
                .filter(candidate -> privateRank(candidate) < 3)
                .map(candidate -> new Selection(candidate, false));
    }

    static boolean isUsable(InterfaceAddress candidate) {
        String name = candidate.interfaceName();
        for (String prefix : EXCLUDED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return false;
            }
        }
        Inet4Address address = candidate.address();
        return !address.isLoopbackAddress() && !address.isLinkLocalAddress() && !address.isAnyLocalAddress()
                && !address.isMulticastAddress() && !isCarrierGradeNat(address);
    }

    /** Ranks private ranges as home networks usually use them: 192.168/16, then 10/8, then 172.16/12. */
    private static int privateRank(InterfaceAddress candidate) {
        byte[] octets = candidate.address().getAddress();
        int first = octets[0] & 0xff;
        int second = octets[1] & 0xff;
        if (first == 192 && second == 168) {
            return 0;
        }
        if (first == 10) {
            return 1;
        }
        if (first == 172 && second >= 16 && second < 32) {
            return 2;
        }
        return 3;
    }

    /** 100.64.0.0/10 is used by Tailscale and carrier-grade NAT, never by a LAN the phone is on. */
    static boolean isCarrierGradeNat(Inet4Address address) {
        byte[] octets = address.getAddress();
        return (octets[0] & 0xff) == 100 && (octets[1] & 0xc0) == 64;
    }

    /**
     * Returns the interface of the IPv4 default route with the lowest metric, read from
     * {@code /proc/net/route}, or empty when there is none or the file cannot be read.
     */
    static Optional<String> defaultRouteInterface(Path procNetRoute) {
        List<String> lines;
        try {
            lines = Files.readAllLines(procNetRoute);
        } catch (IOException e) {
            return Optional.empty();
        }
        String best = null;
        long bestMetric = Long.MAX_VALUE;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 8 || !fields[1].equals("00000000") || !fields[7].equals("00000000")) {
                continue;
            }
            long flags = parseHex(fields[3]);
            long metric = parseHex(fields[6]);
            boolean up = (flags & 0x1) != 0;
            if (up && metric < bestMetric) {
                best = fields[0];
                bestMetric = metric;
            }
        }
        return Optional.ofNullable(best);
    }

    private static long parseHex(String text) {
        try {
            return Long.parseLong(text, 16);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Lists the IPv4 addresses of the interfaces that are up. */
    static List<InterfaceAddress> interfaceAddresses() throws SocketException {
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
