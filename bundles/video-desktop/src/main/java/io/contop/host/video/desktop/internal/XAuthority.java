package io.contop.host.video.desktop.internal;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Looks up the {@value #MIT_MAGIC_COOKIE} authorization for a local X11 display in an Xauthority
 * file, the way libXau picks one for a Unix domain socket connection: the first entry of that
 * protocol whose family is local with this machine's host name, or wild, and whose display number
 * is that display's or empty. Entries of other protocols are skipped, so a server that accepts
 * only those looks unreachable.
 *
 * <p>The file is a sequence of entries, each a big-endian 16-bit family followed by four byte
 * strings (address, display number, authorization name, authorization data), each string a
 * big-endian 16-bit length and that many bytes.
 */
final class XAuthority {
    static final String MIT_MAGIC_COOKIE = "MIT-MAGIC-COOKIE-1";

    private static final int FAMILY_LOCAL = 256;
    private static final int FAMILY_WILD = 65535;
    private static final long MAX_FILE_BYTES = 1 << 20;

    /** The secret bytes of a {@value #MIT_MAGIC_COOKIE} authorization. */
    record Cookie(byte[] data) {
    }

    private XAuthority() {
    }

    /**
     * Returns the cookie for {@code display} on the machine named {@code hostname}, or empty when
     * the file does not exist or has no matching entry.
     *
     * @throws IOException when the file cannot be read, is larger than 1 MiB, or is truncated
     */
    static Optional<Cookie> find(Path file, String hostname, int display) throws IOException {
        byte[] content;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IOException("Xauthority file " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return find(content, hostname, display);
    }

    static Optional<Cookie> find(byte[] content, String hostname, int display) throws IOException {
        byte[] address = hostname.getBytes(StandardCharsets.UTF_8);
        byte[] number = Integer.toString(display).getBytes(StandardCharsets.US_ASCII);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(content));
        while (in.available() > 0) {
            int family = in.readUnsignedShort();
            byte[] entryAddress = readCounted(in);
            byte[] entryNumber = readCounted(in);
            byte[] name = readCounted(in);
            byte[] data = readCounted(in);
            boolean hostMatches = family == FAMILY_WILD || (family == FAMILY_LOCAL && Arrays.equals(entryAddress, address));
            boolean displayMatches = entryNumber.length == 0 || Arrays.equals(entryNumber, number);
            boolean protocolMatches = MIT_MAGIC_COOKIE.equals(new String(name, StandardCharsets.US_ASCII));
            if (hostMatches && displayMatches && protocolMatches) {
                return Optional.of(new Cookie(data));
            }
        }
        return Optional.empty();
    }

    private static byte[] readCounted(DataInputStream in) throws IOException {
        try {
            int length = in.readUnsignedShort();
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new IOException("Xauthority file is truncated");
            }
            return bytes;
        } catch (EOFException e) {
            throw new IOException("Xauthority file is truncated", e);
        }
    }
}
