package io.contop.host.itests.phone;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a scripted phone does: where it connects, which fingerprint it expects, what its offer
 * contains, and how long and how politely it stays. {@link JavaPhone} takes these as command-line
 * options ({@link #toArguments()}, {@link #parse}), and the Chromium phone takes them as URL query
 * parameters.
 *
 * <p>Command-line options, each followed by its value where shown:
 * <pre>
 * --signaling-url URL         required; ws://HOST:PORT/ws/signaling?token=TOKEN
 * --fingerprint HEX           required; the QR's "d", 64 hex digits (colons and case are ignored)
 * --device-name NAME          device_name in the offer (default "Contop test phone")
 * --no-device-name            send "device_name":null instead
 * --connection-type TYPE      add "connection_type":TYPE to the offer (for example temp)
 * --device-location TEXT      add "device_location":TEXT to the offer
 * --send JSON                 send this text on "contop" once both channels are open; may be repeated
 * --stay-seconds S            stay connected S seconds after both channels open (default 2, decimals allowed)
 * --timeout-seconds S         give up when both channels are not open S seconds after start (default 20)
 * --no-session-end            close without sending session_end
 * --no-keepalive-reply        ignore the host's keepalive messages
 * --candidates-before-offer   JavaPhone only: hold the offer until ICE gathering completes, so
 *                             every local candidate reaches the host before the offer
 * --null-sdp-mid              JavaPhone only: send candidates with "sdpMid":null and only the index
 * --ignore-remote-candidates  JavaPhone only: never add the host's candidates, so that ICE connects
 *                             only if the host applied the phone's candidates
 * </pre>
 *
 * <p>Not thread-safe, so build an instance on one thread.
 */
public final class PhoneOptions {

    private String signalingUrl;
    private String fingerprint;
    private String deviceName = "Contop test phone";
    private String connectionType;
    private String deviceLocation;
    private final List<String> messagesToSend = new ArrayList<>();
    private Duration stay = Duration.ofSeconds(2);
    private Duration timeout = Duration.ofSeconds(20);
    private boolean sendSessionEnd = true;
    private boolean replyToKeepalive = true;
    private boolean candidatesBeforeOffer;
    private boolean nullSdpMid;
    private boolean ignoreRemoteCandidates;

    /**
     * Parses {@code main}'s arguments.
     *
     * @throws IllegalArgumentException on an unknown option, a missing or invalid value, or a
     *     missing required option. The message names the option.
     */
    public static PhoneOptions parse(String[] args) {
        PhoneOptions options = new PhoneOptions();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--signaling-url" -> options.signalingUrl(valueOf(args, ++i, option));
                case "--fingerprint" -> options.fingerprint(valueOf(args, ++i, option));
                case "--device-name" -> options.deviceName(valueOf(args, ++i, option));
                case "--no-device-name" -> options.deviceName(null);
                case "--connection-type" -> options.connectionType(valueOf(args, ++i, option));
                case "--device-location" -> options.deviceLocation(valueOf(args, ++i, option));
                case "--send" -> options.send(valueOf(args, ++i, option));
                case "--stay-seconds" -> options.stay(seconds(valueOf(args, ++i, option), option));
                case "--timeout-seconds" -> options.timeout(seconds(valueOf(args, ++i, option), option));
                case "--no-session-end" -> options.sendSessionEnd(false);
                case "--no-keepalive-reply" -> options.replyToKeepalive(false);
                case "--candidates-before-offer" -> options.candidatesBeforeOffer(true);
                case "--null-sdp-mid" -> options.nullSdpMid(true);
                case "--ignore-remote-candidates" -> options.ignoreRemoteCandidates(true);
                default -> throw new IllegalArgumentException("Unknown option: " + option);
            }
        }
        if (options.signalingUrl == null) {
            throw new IllegalArgumentException("Missing required option --signaling-url");
        }
        if (options.fingerprint == null) {
            throw new IllegalArgumentException("Missing required option --fingerprint");
        }
        return options;
    }

    /** Returns these options as {@link JavaPhone} arguments, in the form {@link #parse} accepts. */
    public List<String> toArguments() {
        List<String> args = new ArrayList<>();
        args.add("--signaling-url");
        args.add(Objects.requireNonNull(signalingUrl, "signalingUrl"));
        args.add("--fingerprint");
        args.add(Objects.requireNonNull(fingerprint, "fingerprint"));

        if (deviceName == null) {
            args.add("--no-device-name");
        } else {
            args.add("--device-name");
            args.add(deviceName);
        }
        if (connectionType != null) {
            args.add("--connection-type");
            args.add(connectionType);
        }
        if (deviceLocation != null) {
            args.add("--device-location");
            args.add(deviceLocation);
        }

        for (String message : messagesToSend) {
            args.add("--send");
            args.add(message);
        }

        args.add("--stay-seconds");
        args.add(formatSeconds(stay));
        args.add("--timeout-seconds");
        args.add(formatSeconds(timeout));

        if (!sendSessionEnd) {
            args.add("--no-session-end");
        }
        if (!replyToKeepalive) {
            args.add("--no-keepalive-reply");
        }
        if (candidatesBeforeOffer) {
            args.add("--candidates-before-offer");
        }
        if (nullSdpMid) {
            args.add("--null-sdp-mid");
        }
        if (ignoreRemoteCandidates) {
            args.add("--ignore-remote-candidates");
        }
        return args;
    }

    /** Sets the signaling WebSocket URL, token included, for example {@code ws://10.77.3.1:8000/ws/signaling?token=abc}. */
    public PhoneOptions signalingUrl(String url) {
        this.signalingUrl = url;
        return this;
    }

    /** Sets the expected SHA-256 certificate fingerprint, the QR's {@code d}. Colons and case are ignored. */
    public PhoneOptions fingerprint(String hex) {
        this.fingerprint = hex;
        return this;
    }

    /** Sets the offer's {@code device_name}. A {@code null} name is sent as JSON null. */
    public PhoneOptions deviceName(String name) {
        this.deviceName = name;
        return this;
    }

    /** Sets the offer's {@code connection_type}. With {@code null}, the default, the field is left out. */
    public PhoneOptions connectionType(String type) {
        this.connectionType = type;
        return this;
    }

    /** Sets the offer's {@code device_location}. With {@code null}, the default, the field is left out. */
    public PhoneOptions deviceLocation(String location) {
        this.deviceLocation = location;
        return this;
    }

    /** Adds a text message that the phone sends on {@code contop} as soon as both data channels are open. */
    public PhoneOptions send(String message) {
        messagesToSend.add(Objects.requireNonNull(message, "message"));
        return this;
    }

    /** Sets how long the phone stays connected once both data channels are open. */
    public PhoneOptions stay(Duration duration) {
        this.stay = requireNonNegative(duration, "stay");
        return this;
    }

    /** Sets how long the phone waits, from its start, for both data channels to open. */
    public PhoneOptions timeout(Duration duration) {
        this.timeout = requireNonNegative(duration, "timeout");
        return this;
    }

    /** Sets whether the phone sends {@code session_end} on {@code contop} before closing (default true). */
    public PhoneOptions sendSessionEnd(boolean send) {
        this.sendSessionEnd = send;
        return this;
    }

    /** Sets whether the phone replies to each keepalive (default true). */
    public PhoneOptions replyToKeepalive(boolean reply) {
        this.replyToKeepalive = reply;
        return this;
    }

    /**
     * Sets whether the phone delays its offer until ICE gathering completes and sends every local
     * candidate first (default false). Only {@link JavaPhone} supports this.
     */
    public PhoneOptions candidatesBeforeOffer(boolean first) {
        this.candidatesBeforeOffer = first;
        return this;
    }

    /** Sets whether candidates go out with {@code "sdpMid":null} and only the index (default false). Only {@link JavaPhone} supports this. */
    public PhoneOptions nullSdpMid(boolean nullMid) {
        this.nullSdpMid = nullMid;
        return this;
    }

    /**
     * Sets whether the phone ignores the host's trickled candidates (default false). ICE then
     * connects only through the phone's candidates that the host applied. Only {@link JavaPhone}
     * supports this.
     */
    public PhoneOptions ignoreRemoteCandidates(boolean ignore) {
        this.ignoreRemoteCandidates = ignore;
        return this;
    }

    /** Returns the signaling URL, or {@code null} when not set yet. */
    public String signalingUrl() {
        return signalingUrl;
    }

    /** Returns the expected fingerprint as given, or {@code null} when not set yet. */
    public String fingerprint() {
        return fingerprint;
    }

    /** Returns the offer's device name, or {@code null} to send JSON null. */
    public String deviceName() {
        return deviceName;
    }

    /** Returns the offer's connection type, or {@code null} to leave it out. */
    public String connectionType() {
        return connectionType;
    }

    /** Returns the offer's device location, or {@code null} to leave it out. */
    public String deviceLocation() {
        return deviceLocation;
    }

    /** Returns the messages to send on {@code contop}, in order. */
    public List<String> messagesToSend() {
        return List.copyOf(messagesToSend);
    }

    /** Returns how long the phone stays connected once both data channels are open. */
    public Duration stay() {
        return stay;
    }

    /** Returns how long the phone waits, from its start, for both data channels to open. */
    public Duration timeout() {
        return timeout;
    }

    /** Returns whether the phone sends {@code session_end} before closing. */
    public boolean sendSessionEnd() {
        return sendSessionEnd;
    }

    /** Returns whether the phone replies to keepalives. */
    public boolean replyToKeepalive() {
        return replyToKeepalive;
    }

    /** Returns whether the phone sends its candidates before its offer. */
    public boolean candidatesBeforeOffer() {
        return candidatesBeforeOffer;
    }

    /** Returns whether candidates go out with a null {@code sdpMid}. */
    public boolean nullSdpMid() {
        return nullSdpMid;
    }

    /** Returns whether the phone ignores the host's candidates. */
    public boolean ignoreRemoteCandidates() {
        return ignoreRemoteCandidates;
    }

    private static String valueOf(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException("Missing value for " + option);
        }
        return args[index];
    }

    private static Duration seconds(String value, String option) {
        try {
            double seconds = Double.parseDouble(value);
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(seconds * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid value for " + option + ": '" + value
                    + "' (expected a non-negative number of seconds)");
        }
    }

    private static String formatSeconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f", duration.toMillis() / 1000.0);
    }

    private static Duration requireNonNegative(Duration duration, String name) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + duration);
        }
        return duration;
    }
}
