package io.contop.host.itests.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.PairingQr;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import javax.imageio.ImageIO;

/** Fake programs, configuration files and QR polling shared by the network path tests. */
final class PathTesting {
    static final ObjectMapper JSON = new ObjectMapper();

    private PathTesting() {
    }

    /** Writes {@code body} as an executable {@code /bin/sh} script at {@code file}. */
    static Path script(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }

    /**
     * Returns the daemon environment override that puts guard programs named {@code tailscale}
     * and {@code cloudflared} first on PATH, so that the daemon never runs a real one while a
     * test's configuration is not applied yet. The tailscale guard reports Tailscale as stopped,
     * and the cloudflared guard fails with a message naming itself.
     */
    static Map<String, String> guardedPath(Path directory) throws IOException {
        script(directory.resolve("tailscale"), "echo 'Tailscale is stopped.'\nexit 1");
        script(directory.resolve("cloudflared"),
                "echo 'guard: the cloudflared on PATH ran, the test configuration was not applied' >&2\nexit 2");
        return Map.of("PATH", directory + ":" + System.getenv("PATH"));
    }

    /**
     * Writes {@code config/<pid>.cfg} of the daemon. The file is written under a name FileInstall
     * ignores and then renamed, so FileInstall never reads half of it.
     */
    static void configure(DaemonProcess daemon, String pid, String... lines) throws IOException {
        Path directory = daemon.installation().resolve("config");
        Path partial = directory.resolve(pid + ".cfg.part");
        Files.writeString(partial, String.join("\n", lines) + "\n");
        Files.move(partial, directory.resolve(pid + ".cfg"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Creates a pairing of {@code connectionType} and returns its decoded QR payload. */
    static JsonNode payload(DaemonProcess daemon, String connectionType) {
        HttpResponse<byte[]> response = daemon.post("/api/pair?connection_type=" + connectionType);
        assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
        return decode(response.body());
    }

    /**
     * Decodes a QR code PNG with {@link PairingQr}, and when that finds no QR code, again as a
     * pure barcode (an unrotated image with nothing but the code and its quiet zone).
     */
    static JsonNode decode(byte[] png) {
        try {
            return PairingQr.decodePayload(png);
        } catch (IllegalArgumentException notFound) {
            // NOTE: about 1 in 100 of the daemon's QR codes is not found by PairingQr's TRY_HARDER
            // detection, although it is valid and decodes as a pure barcode.
            try {
                BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
                int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
                BinaryBitmap bitmap = new BinaryBitmap(new HybridBinarizer(
                        new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels)));
                String text = new QRCodeReader().decode(bitmap, Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE))
                        .getText();
                return JSON.readTree(text);
            } catch (IOException | ReaderException e) {
                notFound.addSuppressed(e);
                throw notFound;
            }
        }
    }

    /**
     * Pairs with {@code connectionType} every 250 ms until the QR payload meets {@code condition},
     * and returns that payload.
     */
    static JsonNode awaitPayload(DaemonProcess daemon, String connectionType, Predicate<JsonNode> condition,
            Duration timeout, String expectation) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = payload(daemon, connectionType);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        return fail("no QR payload within " + timeout + " where " + expectation + "; last payload keys: "
                + keys(last) + "\nDaemon log:\n" + daemon.log());
    }

    /** Returns the field names of a payload, without values, because the token and API keys are secrets. */
    static String keys(JsonNode payload) {
        if (payload == null) {
            return "(none)";
        }
        StringBuilder names = new StringBuilder("[");
        payload.fieldNames().forEachRemaining(name -> names.append(names.length() > 1 ? ", " : "").append(name));
        return names.append("]").toString();
    }

    static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(response.body(), StandardCharsets.UTF_8), e);
        }
    }

    /** Waits until the daemon's log, after its first {@code from} characters, contains {@code text}. */
    static void awaitLog(DaemonProcess daemon, int from, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String log = daemon.log();
            if (log.length() > from && log.substring(from).contains(text)) {
                return;
            }
            Thread.sleep(100);
        }
        fail("the daemon did not log \"" + text + "\" within " + timeout + ". Log:\n" + daemon.log());
    }

    /** Waits for a fake program to write its process id to {@code file} and returns it. */
    static long awaitPid(Path file, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                String text = Files.readString(file).strip();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            Thread.sleep(50);
        }
        return fail("no process id in " + file + " within " + timeout);
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Waits up to {@code timeout} for process {@code pid} to be gone and fails when it still runs. */
    static void awaitGone(long pid, Duration timeout, String description) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (isAlive(pid)) {
            fail(description + " (pid " + pid + ") still runs after " + timeout);
        }
    }
}
