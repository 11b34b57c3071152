package io.contop.host.tokens.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetFileClockTest {
    private static final Clock FIXED = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path directory;

    @AfterEach
    void clearProperties() {
        System.clearProperty(OffsetFileClock.FILE_PROPERTY);
        System.clearProperty(OffsetFileClock.CONFIRM_PROPERTY);
    }

    @Test
    void systemClockWithoutProperties() {
        assertSame(FIXED, OffsetFileClock.fromSystemProperties(FIXED));
    }

    @Test
    void fileAloneIsIgnored() throws Exception {
        Path file = Files.writeString(directory.resolve("offset"), "PT4H");
        System.setProperty(OffsetFileClock.FILE_PROPERTY, file.toString());
        assertSame(FIXED, OffsetFileClock.fromSystemProperties(FIXED));
        System.setProperty(OffsetFileClock.CONFIRM_PROPERTY, "yes");
        assertSame(FIXED, OffsetFileClock.fromSystemProperties(FIXED));
    }

    @Test
    void offsetFollowsTheFile() throws Exception {
        Path file = Files.writeString(directory.resolve("offset"), "PT4H\n");
        System.setProperty(OffsetFileClock.FILE_PROPERTY, file.toString());
        System.setProperty(OffsetFileClock.CONFIRM_PROPERTY, OffsetFileClock.CONFIRM_VALUE);
        Clock clock = OffsetFileClock.fromSystemProperties(FIXED);
        assertEquals(FIXED.instant().plus(Duration.ofHours(4)), clock.instant());

        Files.writeString(file, "P30DT1H");
        Thread.sleep(250);
        assertEquals(FIXED.instant().plus(Duration.ofDays(30).plusHours(1)), clock.instant());

        Files.writeString(file, "garbage");
        Thread.sleep(250);
        assertEquals(FIXED.instant().plus(Duration.ofDays(30).plusHours(1)), clock.instant(), "a bad file keeps the offset");
    }
}
