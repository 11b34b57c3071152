package io.contop.host.tokens.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The test resource {@code legacy-tokens.json}: a file as the server Contop Host replaces writes
 * it, with no certificate fields. Its four valid entries are valid at {@link StoreSupport#START}.
 */
final class LegacyFixture {
    static final String RESOURCE = "/legacy-tokens.json";

    /** Entry 1: microseconds and a {@code +00:00} offset, with every device field. */
    static final String MICROSECONDS = "3f8e2a47-9c1d-4b6e-8f2a-7d5c9e1b3a64";
    /** Entry 2: whole seconds, a null device id and null device fields. */
    static final String NO_DEVICE = "b71c0d5e-2f4a-4c83-9e6d-1a8b2c3d4e5f";
    /** Entry 3: a {@code Z} offset and an unknown field {@code app_version}. */
    static final String ZULU = "e4d2a9c1-6b3f-4e58-a0d7-94c1b2e3f605";
    /** Entry 4: timestamps without offset, which mean UTC. */
    static final String NAIVE = "9a0b1c2d-3e4f-4a5b-b6c7-d8e9f0a1b2c3";
    /** Entry 5: expired on 2026-03-31. */
    static final String EXPIRED = "c0ffee00-1234-4abc-8def-0123456789ab";
    /** Entry 6: an {@code expires_at} that is not a timestamp. */
    static final String MALFORMED = "d15ea5e0-aaaa-4bbb-9ccc-dddddddddddd";

    static final List<String> VALID_TOKENS = List.of(MICROSECONDS, NO_DEVICE, ZULU, NAIVE);
    static final List<String> ALL_TOKENS = List.of(MICROSECONDS, NO_DEVICE, ZULU, NAIVE, EXPIRED, MALFORMED);

    private LegacyFixture() {
    }

    static byte[] bytes() throws IOException {
        try (InputStream input = LegacyFixture.class.getResourceAsStream(RESOURCE)) {
            if (input == null) {
                throw new IOException("test resource " + RESOURCE + " is missing");
            }
            return input.readAllBytes();
        }
    }

    /** Writes the fixture as {@code tokens.json} of {@code directory}. */
    static Path copyTo(Path directory) throws IOException {
        return Files.write(directory.resolve(TokenFile.FILE_NAME), bytes());
    }
}
