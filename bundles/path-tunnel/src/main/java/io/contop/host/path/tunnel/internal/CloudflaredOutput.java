package io.contop.host.path.tunnel.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads cloudflared's console log: the quick tunnel's URL and the reason a run failed.
 *
 * <p>cloudflared writes log lines such as {@code 2025-01-01T10:00:00Z INF message key=value}
 * and, when a quick tunnel is created, prints its URL inside a box drawn with {@code +},
 * {@code -} and {@code |}, one log line per box row. When the command itself fails, the last
 * line is the error without timestamp or level.
 */
final class CloudflaredOutput {
    /** Maximum length of a failure reason passed on to the user. Longer lines are cut. */
    static final int MAX_REASON_LENGTH = 300;

    private static final String QUICK_TUNNEL_DOMAIN = ".trycloudflare.com";
    /** The quick tunnel API host, which error lines name but which is never a tunnel's own host. */
    private static final String QUICK_TUNNEL_API_HOST = "api.trycloudflare.com";

    /** A box row that contains nothing but an https URL of a host name without path. */
    private static final Pattern BOX_ROW_URL =
            Pattern.compile("\\|\\s*https://([A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)/?\\s*\\|\\s*$");
    private static final Pattern LOG_PREFIX =
            Pattern.compile("^(?:\\d{4}-\\d{2}-\\d{2}T\\S+\\s+)?(DBG|INF|WRN|ERR|FTL)\\s+(.*)$");
    private static final Set<String> ERROR_LEVELS = Set.of("ERR", "FTL");
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i)\\b([\\w.-]*(?:token|secret|password|passwd|credential|authorization|api[_-]?key)[\\w.-]*)"
                    + "(\\s*[=:]\\s*)(\"[^\"]*\"|\\S+)");
    /** Long runs of base64 or hex characters, which is what keys and tokens look like. */
    private static final Pattern OPAQUE_VALUE = Pattern.compile("[A-Za-z0-9+/_=-]{32,}");

    private CloudflaredOutput() {
    }

    /**
     * Returns {@code https://<host>} when {@code line} is the box row carrying the quick tunnel's
     * URL. Any other line, including an error that names {@code api.trycloudflare.com}, yields
     * empty.
     */
    static Optional<String> tunnelUrl(String line) {
        Matcher matcher = BOX_ROW_URL.matcher(stripAnsi(line));
        if (!matcher.find()) {
            return Optional.empty();
        }
        String host = matcher.group(1).toLowerCase(Locale.ROOT);
        if (!host.endsWith(QUICK_TUNNEL_DOMAIN) || host.equals(QUICK_TUNNEL_API_HOST)) {
            return Optional.empty();
        }
        return Optional.of("https://" + host);
    }

    /**
     * Chooses the line that best explains why cloudflared failed and returns it cleaned up. The
     * choice is the last line logged at level ERR or FTL. Without one, it is the last line that is
     * not a log line (the error the command exits with), else the last non-blank line.
     *
     * @param lines the most recent output lines, oldest first
     * @return the reason, or empty when there was no output at all
     */
    static Optional<String> failureReason(List<String> lines) {
        String lastError = null;
        String lastPlain = null;
        String lastNonBlank = null;
        for (String raw : lines) {
            String line = stripAnsi(raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            lastNonBlank = line;
            Matcher matcher = LOG_PREFIX.matcher(line);
            if (!matcher.matches()) {
                if (!line.startsWith("+") && !line.startsWith("|")) {
                    lastPlain = line;
                }
            } else if (ERROR_LEVELS.contains(matcher.group(1))) {
                lastError = line;
            }
        }
        String chosen = lastNonBlank;
        if (lastError != null) {
            chosen = lastError;
        } else if (lastPlain != null) {
            chosen = lastPlain;
        }
        return Optional.ofNullable(chosen).map(CloudflaredOutput::sanitize);
    }

    /**
     * Makes a log line fit for an API response and a log: drops the timestamp, level and terminal
     * escapes, masks values that look like secrets, and cuts it to {@link #MAX_REASON_LENGTH}.
     */
    static String sanitize(String line) {
        String text = stripAnsi(line).strip();
        Matcher prefix = LOG_PREFIX.matcher(text);
        if (prefix.matches()) {
            text = prefix.group(2);
        }
        text = text.replaceAll("\\p{Cntrl}", " ");
        text = SECRET_FIELD.matcher(text).replaceAll("$1$2[redacted]");
        text = OPAQUE_VALUE.matcher(text).replaceAll("[redacted]");
        text = text.replaceAll("\\s+", " ").strip();
        if (text.length() > MAX_REASON_LENGTH) {
            text = text.substring(0, MAX_REASON_LENGTH - 3) + "...";
        }
        return text;
    }

    private static String stripAnsi(String line) {
        return ANSI_ESCAPE.matcher(line).replaceAll("");
    }
}
