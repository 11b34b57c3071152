package io.contop.host.tokens.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clock for integration tests that runs ahead of the system clock by an offset read from a file,
 * so that a test can move the token store past an expiry while the daemon runs. The file contains an
 * ISO 8601 duration such as {@code PT4H1M} and is read again at most every 200 ms.
 *
 * <p>It is used only when the system property {@value #FILE_PROPERTY} names the file and
 * {@value #CONFIRM_PROPERTY} is set to {@value #CONFIRM_VALUE}; the daemon then logs a warning at
 * start-up. Neither is set by the launcher or any configuration file.
 */
final class OffsetFileClock extends Clock {
    static final String FILE_PROPERTY = "contop.test.clock.offset.file";
    static final String CONFIRM_PROPERTY = "contop.test.clock.confirm";
    static final String CONFIRM_VALUE = "offset-token-expiry-for-tests";

    private static final Logger LOG = LoggerFactory.getLogger(OffsetFileClock.class);
    private static final long REREAD_NANOS = 200_000_000L;

    private final Clock system;
    private final Path file;
    private volatile Duration offset = Duration.ZERO;
    private volatile long readAtNanos = System.nanoTime() - REREAD_NANOS;
    private volatile String lastError = "";

    private OffsetFileClock(Clock system, Path file) {
        this.system = system;
        this.file = file;
    }

    /** Returns the test clock when both system properties request it, otherwise {@code system}. */
    static Clock fromSystemProperties(Clock system) {
        String file = System.getProperty(FILE_PROPERTY);
        if (file == null || file.isBlank()) {
            return system;
        }
        if (!CONFIRM_VALUE.equals(System.getProperty(CONFIRM_PROPERTY))) {
            LOG.error("{} is set but {} is not \"{}\"; ignoring it and using the system clock", FILE_PROPERTY,
                    CONFIRM_PROPERTY, CONFIRM_VALUE);
            return system;
        }
        LOG.warn("TEST CLOCK: token creation and expiry follow the system clock plus the offset in {}; "
                + "never run a real daemon like this", file);
        return new OffsetFileClock(system, Path.of(file));
    }

    @Override
    public Instant instant() {
        if (System.nanoTime() - readAtNanos >= REREAD_NANOS) {
            readOffset();
        }
        return system.instant().plus(offset);
    }

    private void readOffset() {
        readAtNanos = System.nanoTime();
        try {
            offset = Duration.parse(Files.readString(file, StandardCharsets.UTF_8).strip());
            lastError = "";
        } catch (IOException | DateTimeParseException e) {
            if (!e.toString().equals(lastError)) {
                lastError = e.toString();
                LOG.warn("Test clock offset in {} is unreadable; keeping {}: {}", file, offset, e.toString());
            }
        }
    }

    @Override
    public ZoneId getZone() {
        return system.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new OffsetFileClock(system.withZone(zone), file);
    }
}
