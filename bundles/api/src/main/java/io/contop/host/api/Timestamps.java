package io.contop.host.api;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * ISO 8601 timestamps in the form Python's {@code datetime.isoformat()} writes for UTC times, such
 * as {@code 2026-04-08T12:34:56.789012+00:00}, which both this host and the server it replaces read.
 */
public final class Timestamps {
    private static final DateTimeFormatter WRITE_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private Timestamps() {
    }

    /** Formats an instant in UTC with microseconds and a {@code +00:00} offset. */
    public static String format(Instant instant) {
        return WRITE_FORMAT.format(instant.atOffset(ZoneOffset.UTC));
    }

    /**
     * Parses a timestamp with an offset ({@code +00:00}, {@code Z} or any other) and any number of
     * fraction digits; a timestamp without offset is taken as UTC.
     *
     * @throws DateTimeParseException when the text is not an ISO 8601 date and time
     */
    public static Instant parse(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            return LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        }
    }
}
