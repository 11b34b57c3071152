package io.contop.host.video.desktop.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XAuthorityTest {
    private static final int LOCAL = 256;
    private static final int WILD = 65535;
    private static final int INTERNET = 0;
    private static final byte[] COOKIE = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    @Test
    void localEntryForHostAndDisplayMatches() throws IOException {
        byte[] file = file(
                entry(LOCAL, "other-host", "7", XAuthority.MIT_MAGIC_COOKIE, new byte[16]),
                entry(LOCAL, "desk", "3", XAuthority.MIT_MAGIC_COOKIE, new byte[16]),
                entry(LOCAL, "desk", "7", XAuthority.MIT_MAGIC_COOKIE, COOKIE));
        assertArrayEquals(COOKIE, XAuthority.find(file, "desk", 7).orElseThrow().data());
    }

    @Test
    void wildEntryAndEmptyDisplayNumberMatch() throws IOException {
        assertArrayEquals(COOKIE, XAuthority.find(file(entry(WILD, "", "", XAuthority.MIT_MAGIC_COOKIE, COOKIE)),
                "desk", 4).orElseThrow().data());
        assertArrayEquals(COOKIE, XAuthority.find(file(entry(LOCAL, "desk", "", XAuthority.MIT_MAGIC_COOKIE, COOKIE)),
                "desk", 4).orElseThrow().data());
    }

    @Test
    void otherFamiliesAndProtocolsAreSkipped() throws IOException {
        byte[] file = file(
                entry(INTERNET, "desk", "7", XAuthority.MIT_MAGIC_COOKIE, COOKIE),
                entry(LOCAL, "desk", "7", "XDM-AUTHORIZATION-1", COOKIE));
        assertTrue(XAuthority.find(file, "desk", 7).isEmpty());
    }

    @Test
    void missingFileHasNoCookie(@TempDir Path directory) throws IOException {
        assertTrue(XAuthority.find(directory.resolve("absent"), "desk", 0).isEmpty());
    }

    @Test
    void truncatedFileIsRejected() {
        byte[] whole = file(entry(LOCAL, "desk", "7", XAuthority.MIT_MAGIC_COOKIE, COOKIE));
        byte[] truncated = Arrays.copyOf(whole, whole.length - 3);
        IOException error = assertThrows(IOException.class, () -> XAuthority.find(truncated, "desk", 7));
        assertTrue(error.getMessage().contains("truncated"), error.getMessage());
    }

    private static byte[] entry(int family, String address, String number, String name, byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeShort(family);
            counted(out, address.getBytes(StandardCharsets.UTF_8));
            counted(out, number.getBytes(StandardCharsets.US_ASCII));
            counted(out, name.getBytes(StandardCharsets.US_ASCII));
            counted(out, data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private static void counted(DataOutputStream out, byte[] value) throws IOException {
        out.writeShort(value.length);
        out.write(value);
    }

    private static byte[] file(byte[]... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] entry : entries) {
            bytes.writeBytes(entry);
        }
        return bytes.toByteArray();
    }
}
