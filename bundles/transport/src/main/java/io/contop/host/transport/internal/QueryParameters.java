package io.contop.host.transport.internal;

import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** Parses query strings without letting an invalid one end the request with a 500. */
final class QueryParameters {
    /** The characters RFC 3986 allows in a query, with every % starting an escape of two hex digits. */
    private static final Pattern WELL_FORMED = Pattern.compile("(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*+");

    private QueryParameters() {
    }

    /** Returns true when {@code rawQuery}, still percent-encoded, is a well-formed RFC 3986 query or null. */
    static boolean isWellFormed(String rawQuery) {
        return rawQuery == null || WELL_FORMED.matcher(rawQuery).matches();
    }

    /**
     * Returns the request's query parameters, or empty when the query string is invalid: a percent
     * sign not followed by two hex digits, or escapes that do not decode to UTF-8. Jetty throws
     * {@link IllegalArgumentException} for those.
     */
    static Optional<Fields> parse(Request request) {
        try {
            return Optional.of(Request.extractQueryParameters(request));
        } catch (IllegalArgumentException | IllegalStateException e) {
            return Optional.empty();
        }
    }
}
