package io.contop.host.itests.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hostile-input corpus under {@code src/test/resources/hostile/}: one JSON object per line,
 * each a case with its expected reply. Strings in a case may hold placeholders that
 * {@link #expand} fills in:
 * <ul>
 * <li>{@code {token}} the corpus token; {@code {token_pct}} every character of it percent-encoded;
 *     {@code {token_upper}} in upper case; {@code {token_prefix}} its first 8 characters
 * <li>{@code {port}} the daemon's port
 * <li>{@code {offer}} a real SDP offer, JSON-escaped for use inside a JSON string, and
 *     {@code {offer:<variant>}} a changed copy (see {@link #offerVariant})
 * <li>{@code <<rep:N:TEXT>>} TEXT repeated N times
 * </ul>
 */
final class HostileCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REPEAT = Pattern.compile("<<rep:(\\d+):(.*?)>>", Pattern.DOTALL);
    private static final Pattern OFFER = Pattern.compile("\\{offer(?::([a-z0-9-]+))?\\}");

    private HostileCorpus() {
    }

    /** Reads the cases of {@code hostile/<file>}, in file order. */
    static List<JsonNode> load(String file) {
        String resource = "/hostile/" + file;
        List<JsonNode> cases = new ArrayList<>();
        try (InputStream in = HostileCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    cases.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return cases;
    }

    /** Fills in the placeholders of {@code text}. */
    static String expand(String text, Map<String, String> values, String offer) {
        String result = text;
        for (Map.Entry<String, String> value : values.entrySet()) {
            result = result.replace("{" + value.getKey() + "}", value.getValue());
        }
        Matcher offers = OFFER.matcher(result);
        StringBuilder withOffers = new StringBuilder();
        while (offers.find()) {
            String sdp = offers.group(1) == null ? offer : offerVariant(offer, offers.group(1));
            offers.appendReplacement(withOffers, Matcher.quoteReplacement(jsonEscape(sdp)));
        }
        offers.appendTail(withOffers);

        Matcher repeats = REPEAT.matcher(withOffers);
        StringBuilder expanded = new StringBuilder();
        while (repeats.find()) {
            repeats.appendReplacement(expanded,
                    Matcher.quoteReplacement(repeats.group(2).repeat(Integer.parseInt(repeats.group(1)))));
        }
        repeats.appendTail(expanded);
        return expanded.toString();
    }

    /** Returns {@code token} with every character percent-encoded. */
    static String percentEncodeAll(String token) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            encoded.append('%').append(String.format(Locale.ROOT, "%02X", b));
        }
        return encoded.toString();
    }

    /** Returns a changed copy of a real offer; the variant names are those the corpus uses. */
    static String offerVariant(String offer, String variant) {
        return switch (variant) {
            case "sha1-fingerprint" -> offer.replaceAll("a=fingerprint:sha-256 [0-9A-Fa-f:]+",
                    "a=fingerprint:sha-1 " + colonHex(20, 0x5a));
            case "two-fingerprints-mixed-case" -> {
                Matcher line = Pattern.compile("a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\r\n").matcher(offer);
                StringBuilder changed = new StringBuilder();
                while (line.find()) {
                    line.appendReplacement(changed, Matcher.quoteReplacement("a=fingerprint:sha-256 "
                            + line.group(1).toLowerCase(Locale.ROOT) + "\r\na=FINGERPRINT:SHA-256 " + colonHex(32, 0xa5)
                            + "\r\n"));
                }
                line.appendTail(changed);
                yield changed.toString();
            }
            case "no-fingerprint" -> offer.replaceAll("a=fingerprint:[^\r\n]*\r\n", "");
            case "truncated" -> offer.substring(0, offer.length() / 2);
            case "lf-line-endings" -> offer.replace("\r\n", "\n");
            case "huge-attribute" -> offer + "a=x-junk:" + "j".repeat(200_000) + "\r\n";
            case "bad-media-port" -> offer.replaceAll("(?m)^m=(\\w+) 9 ", "m=$1 99999 ");
            case "hostname-candidate" -> offer + "a=candidate:1 1 udp 2122260223 localhost 5000 typ host\r\n";
            default -> throw new IllegalArgumentException("unknown offer variant " + variant);
        };
    }

    private static String colonHex(int bytes, int value) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < bytes; i++) {
            if (i > 0) {
                hex.append(':');
            }
            hex.append(String.format(Locale.ROOT, "%02X", (value + i) & 0xff));
        }
        return hex.toString();
    }

    private static String jsonEscape(String text) {
        String quoted = JsonNodeFactory.instance.textNode(text).toString();
        return quoted.substring(1, quoted.length() - 1);
    }
}
