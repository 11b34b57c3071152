package io.contop.host.transport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.IceCandidate;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses and checks the phone's signaling frames. It has no state and does no I/O, so every frame
 * a phone can send is tested (and fuzzed) without a socket. Strings from the phone are cleaned of
 * control characters and cut to a maximum length, and stored as data.
 */
final class SignalingMessages {
    static final int MAX_DEVICE_NAME = 64;
    static final int MAX_LOCATION = 128;
    static final int MAX_CANDIDATE = 1024;

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,10}");
    private static final String CANDIDATE_FORM = "Invalid ICE candidate: expected \"candidate:<foundation> <component> "
            + "<transport> <priority> <address> <port> typ <type> ...\"";

    private SignalingMessages() {
    }

    /** A parsed frame: one of the records below. */
    sealed interface Message permits Offer, Candidate, EndOfCandidates, Location, Ignored, Invalid {
    }

    /**
     * An SDP offer.
     *
     * @param requestedType the {@code connection_type} the phone requested, or null when absent
     * @param deviceName the cleaned {@code device_name}, or null when absent or blank
     * @param location the cleaned {@code device_location}, or null when absent
     */
    record Offer(String sdp, ConnectionType requestedType, String deviceName, String location) implements Message {
    }

    /** A remote ICE candidate whose line passed the syntax check. */
    record Candidate(IceCandidate candidate) implements Message {
    }

    /** A null or empty candidate, which marks the end of the phone's candidates. */
    record EndOfCandidates() implements Message {
    }

    /** A {@code device_location} message with the cleaned location. */
    record Location(String location) implements Message {
    }

    /** A message of a type the host does not act on ({@code answer}, unknown types, a null location). */
    record Ignored(String type) implements Message {
    }

    /** A frame the host rejects, with the text of the error frame sent back. */
    record Invalid(String error) implements Message {
    }

    /** Parses one text frame. It throws for no input, which {@code SignalingMessagesFuzzTest} checks. */
    static Message parse(String text) {
        JsonNode message;
        try {
            message = JsonResponses.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            return new Invalid("Message is not valid JSON");
        }
        if (message == null || !message.isObject()) {
            return new Invalid("Message must be a JSON object");
        }
        JsonNode type = message.get("type");
        if (type == null || !type.isTextual()) {
            return new Invalid("Message needs a string field \"type\"");
        }
        return switch (type.asText()) {
            case "offer" -> offer(message);
            case "ice_candidate" -> candidate(message.get("candidate"));
            case "device_location" -> location(message.get("location"));
            default -> new Ignored(type.asText());
        };
    }

    private static Message offer(JsonNode message) {
        JsonNode sdp = message.get("sdp");
        if (sdp == null || !sdp.isTextual() || sdp.asText().isBlank()) {
            return new Invalid("An offer needs a string field \"sdp\"");
        }
        if (!sdp.asText().startsWith("v=0")) {
            return new Invalid("An offer's \"sdp\" must be a session description starting with v=0");
        }

        String candidateError = sdpCandidateError(sdp.asText());
        if (candidateError != null) {
            return new Invalid("An offer's \"sdp\" has an unusable a=candidate line. " + candidateError);
        }
        ConnectionType requestedType = null;
        JsonNode typeField = message.get("connection_type");
        if (typeField != null && !typeField.isNull()) {
            Optional<ConnectionType> parsed = typeField.isTextual()
                    ? ConnectionType.fromWireName(typeField.asText()) : Optional.empty();
            if (parsed.isEmpty()) {
                return new Invalid("connection_type must be permanent or temp");
            }
            requestedType = parsed.get();
        }

        JsonNode name = message.get("device_name");
        String deviceName = null;
        if (name != null && name.isTextual() && !name.asText().isBlank()) {
            deviceName = clean(name.asText(), MAX_DEVICE_NAME);
        }
        JsonNode location = message.get("device_location");
        if (location != null && !location.isNull() && !location.isTextual()) {
            return new Invalid("device_location must be a string");
        }
        String cleanLocation = location == null || location.isNull() ? null : clean(location.asText(), MAX_LOCATION);
        return new Offer(sdp.asText(), requestedType, deviceName, cleanLocation);
    }

    private static Message candidate(JsonNode candidate) {
        if (candidate == null || candidate.isNull()) {
            return new EndOfCandidates();
        }
        if (!candidate.isObject()) {
            return new Invalid("\"candidate\" must be an object or null");
        }
        JsonNode line = candidate.get("candidate");
        if (line == null || line.isNull() || (line.isTextual() && line.asText().isEmpty())) {
            return new EndOfCandidates();
        }
        JsonNode mid = candidate.get("sdpMid");
        JsonNode index = candidate.get("sdpMLineIndex");
        if (!line.isTextual() || line.asText().length() > MAX_CANDIDATE
                || (mid != null && !mid.isNull() && !mid.isTextual())
                || (index != null && !index.isNull() && !(index.isInt() && index.asInt() >= 0))) {
            return new Invalid("Invalid ICE candidate: expected candidate (string of at most " + MAX_CANDIDATE
                    + " characters), sdpMid (string or null) and sdpMLineIndex (non-negative integer or null)");
        }
        if ((mid == null || mid.isNull()) && (index == null || index.isNull())) {
            return new Invalid("Invalid ICE candidate: sdpMid or sdpMLineIndex is required");
        }
        String syntaxError = candidateLineError(line.asText());
        if (syntaxError != null) {
            return new Invalid(syntaxError);
        }
        return new Candidate(new IceCandidate(line.asText(), mid == null || mid.isNull() ? null : mid.asText(),
                index == null || index.isNull() ? null : index.asInt()));
    }

    /**
     * Checks the fields of a candidate line up to its type, in the form of RFC 8839, section 5.1.
     * The address must be an IP literal, because the engine would resolve a host name (such as an
     * mDNS {@code .local} name) with a DNS or mDNS query, which a phone must not be able to trigger.
     *
     * @return the error message, or null when the line is acceptable
     */
    static String candidateLineError(String line) {
        String body = line.startsWith("a=") ? line.substring(2) : line;
        if (!body.startsWith("candidate:")) {
            return CANDIDATE_FORM;
        }
        String[] fields = body.substring("candidate:".length()).split(" ", -1);
        if (fields.length < 8 || fields[0].isEmpty() || !fields[6].equals("typ") || fields[7].isEmpty()
                || !DIGITS.matcher(fields[1]).matches() || fields[2].isEmpty()
                || !DIGITS.matcher(fields[3]).matches() || Long.parseLong(fields[3]) > 0xFFFF_FFFFL) {
            return CANDIDATE_FORM;
        }
        String address = fields[4];
        if (!IPV4.matcher(address).matches() && !IPV6.matcher(address).matches()) {
            return "Invalid ICE candidate: the address must be an IP address; host names, including mDNS .local "
                    + "names, are not resolved";
        }
        if (!DIGITS.matcher(fields[5]).matches() || Long.parseLong(fields[5]) > 65535) {
            return "Invalid ICE candidate: the port must be a number from 0 to 65535";
        }
        return null;
    }

    /** Checks the {@code a=candidate} lines of an SDP as trickled candidates are checked. */
    private static String sdpCandidateError(String sdp) {
        for (String line : sdp.split("\r?\n")) {
            if (line.startsWith("a=candidate:")) {
                String error = candidateLineError(line);
                if (error != null) {
                    return error;
                }
            }
        }
        return null;
    }

    private static Message location(JsonNode location) {
        if (location == null || location.isNull()) {
            return new Ignored("device_location");
        }
        if (!location.isTextual()) {
            return new Invalid("location must be a string");
        }
        return new Location(clean(location.asText(), MAX_LOCATION));
    }

    /**
     * Drops control characters, line and paragraph separators and bidirectional formatting
     * characters (which could make a name display as something else), keeps at most
     * {@code maxLength} code points and strips white space.
     */
    static String clean(String value, int maxLength) {
        StringBuilder clean = new StringBuilder(Math.min(value.length(), maxLength));
        value.codePoints()
                .filter(SignalingMessages::isDisplayable)
                .limit(maxLength)
                .forEach(clean::appendCodePoint);
        return clean.toString().strip();
    }

    private static boolean isDisplayable(int codePoint) {
        int type = Character.getType(codePoint);
        boolean bidiControl = (codePoint >= 0x202A && codePoint <= 0x202E) || (codePoint >= 0x2066 && codePoint <= 0x2069)
                || codePoint == 0x200E || codePoint == 0x200F || codePoint == 0x061C;
        return !Character.isISOControl(codePoint) && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && !bidiControl;
    }
}
