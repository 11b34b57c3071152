package io.contop.host.transport.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Classifies the address a client connected from. Forwarding headers are never consulted. */
final class ClientAddresses {
    private ClientAddresses() {
    }

    /** Returns true when {@code ip} (an IP literal) is a loopback address. */
    static boolean isLoopback(String ip) {
        InetAddress address = parse(ip);
        return address != null && address.isLoopbackAddress();
    }

    /**
     * Returns the contract's {@code connection_path} for a phone at {@code ip}: {@code tailscale}
     * for 100.64.0.0/10, {@code tunnel} when the connection came through the tunnel listener, else
     * {@code lan}.
     */
    static String connectionPath(String ip, boolean viaTunnel) {
        if (viaTunnel) {
            return "tunnel";
        }
        InetAddress address = parse(ip);
        if (address != null && address.getAddress().length == 4) {
            byte[] octets = address.getAddress();
            if ((octets[0] & 0xff) == 100 && (octets[1] & 0xc0) == 64) {
                return "tailscale";
            }
        }
        return "lan";
    }

    /** Parses an IP literal; returns null for anything else, so no name lookup ever happens. */
    private static InetAddress parse(String ip) {
        if (ip == null) {
            return null;
        }
        String literal = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
        boolean ipv4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.%a-zA-Z0-9]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
