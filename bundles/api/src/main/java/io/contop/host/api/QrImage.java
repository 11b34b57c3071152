package io.contop.host.api;

/**
 * A rendered pairing QR code.
 *
 * @param payloadJson the compact JSON text the code contains; it includes secrets, never log it
 * @param png the PNG image: black modules on white, a 4-module quiet zone, 10 pixels per module
 * @param version the QR version (1 to 40)
 * @param modules the module matrix without quiet zone, {@code modules[y][x]} true for dark
 */
public record QrImage(String payloadJson, byte[] png, int version, boolean[][] modules) {
    @Override
    public String toString() {
        return "QrImage[version " + version + ", " + png.length + " bytes]";
    }
}
