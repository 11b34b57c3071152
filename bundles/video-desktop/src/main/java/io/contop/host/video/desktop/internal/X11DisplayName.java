package io.contop.host.video.desktop.internal;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An X11 display name as the {@code DISPLAY} environment variable contains it:
 * {@code [host]:display[.screen]}, for example {@code :0}, {@code :1.0} or {@code unix:2}.
 *
 * @param host the host part, empty for the local machine
 * @param display the display number
 * @param screen the screen number, 0 when the name has none
 */
record X11DisplayName(String host, int display, int screen) {
    private static final Pattern SYNTAX = Pattern.compile("([^:]*):(\\d{1,5})(?:\\.(\\d{1,3}))?");

    /** Parses {@code value}; returns empty for null, blank or malformed names. */
    static Optional<X11DisplayName> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher matcher = SYNTAX.matcher(value.strip());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        int screen = matcher.group(3) == null ? 0 : Integer.parseInt(matcher.group(3));
        return Optional.of(new X11DisplayName(matcher.group(1), Integer.parseInt(matcher.group(2)), screen));
    }

    /**
     * Returns true when the display is reached through a Unix domain socket on this machine,
     * which is the only kind this bundle captures.
     */
    boolean isLocal() {
        return host.isEmpty() || host.equals("unix");
    }

    /** Returns the X server's Unix domain socket, {@code /tmp/.X11-unix/X<display>}. */
    Path socketPath() {
        return Path.of("/tmp/.X11-unix", "X" + display);
    }

    @Override
    public String toString() {
        return host + ":" + display + (screen == 0 ? "" : "." + screen);
    }
}
