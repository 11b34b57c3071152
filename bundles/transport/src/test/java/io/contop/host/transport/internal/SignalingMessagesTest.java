package io.contop.host.transport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.ConnectionType;
import io.contop.host.transport.internal.SignalingMessages.Candidate;
import io.contop.host.transport.internal.SignalingMessages.EndOfCandidates;
import io.contop.host.transport.internal.SignalingMessages.Ignored;
import io.contop.host.transport.internal.SignalingMessages.Invalid;
import io.contop.host.transport.internal.SignalingMessages.Location;
import io.contop.host.transport.internal.SignalingMessages.Message;
import io.contop.host.transport.internal.SignalingMessages.Offer;
import org.junit.jupiter.api.Test;

class SignalingMessagesTest {
    private static final String HOST_CANDIDATE = "candidate:1 1 udp 2122260223 10.77.3.2 50000 typ host generation 0";

    @Test
    void offerWithAllFields() {
        Offer offer = assertInstanceOf(Offer.class, SignalingMessages.parse(
                "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\",\"device_name\":\"Pixel\",\"connection_type\":\"TEMP\","
                        + "\"device_location\":\"Porto, Portugal\"}"));
        assertEquals("v=0\r\n", offer.sdp());
        assertEquals(ConnectionType.TEMP, offer.requestedType());
        assertEquals("Pixel", offer.deviceName());
        assertEquals("Porto, Portugal", offer.location());
    }

    @Test
    void offerWithNullsHasNoOptionalFields() {
        Offer offer = assertInstanceOf(Offer.class, SignalingMessages.parse(
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"device_name\":null,\"connection_type\":null}"));
        assertNull(offer.requestedType());
        assertNull(offer.deviceName());
        assertNull(offer.location());
    }

    @Test
    void offerErrors() {
        assertError("{\"type\":\"offer\"}", "\"sdp\"");
        assertError("{\"type\":\"offer\",\"sdp\":12}", "\"sdp\"");
        assertError("{\"type\":\"offer\",\"sdp\":\"   \"}", "\"sdp\"");
        assertError("{\"type\":\"offer\",\"sdp\":\"hello\"}", "v=0");
        assertError("{\"type\":\"offer\",\"sdp\":\"v=0\",\"connection_type\":\"forever\"}", "connection_type");
        assertError("{\"type\":\"offer\",\"sdp\":\"v=0\",\"connection_type\":1}", "connection_type");
        assertError("{\"type\":\"offer\",\"sdp\":\"v=0\",\"device_location\":[1]}", "device_location");
        assertError("{\"type\":\"offer\",\"sdp\":\"v=0\\r\\nm=audio 9 UDP 0\\r\\na=candidate:1 1 udp 1 phone.local 9 typ host\\r\\n\"}",
                "mDNS");
    }

    @Test
    void frameErrors() {
        assertError("not json", "not valid JSON");
        assertError("{\"type\":\"offer\"", "not valid JSON");
        assertError("[1,2]", "JSON object");
        assertError("null", "JSON object");
        assertError("", "JSON object");
        assertError("{}", "\"type\"");
        assertError("{\"type\":7}", "\"type\"");
        assertError("[".repeat(5000) + "]".repeat(5000), "not valid JSON");
        assertError("{\"type\":\"offer\",\"sdp\":1" + "0".repeat(2000) + "}", "not valid JSON");
    }

    @Test
    void deviceNameIsCleanedAndCut() {
        Offer offer = assertInstanceOf(Offer.class, SignalingMessages.parse(
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"device_name\":\"  a\\u0000b\\nc\\u202Ed\\u2028" + "x".repeat(100)
                        + "\"}"));
        // The two leading spaces count towards the 64 code points and are stripped after the cut.
        assertEquals("abcd" + "x".repeat(58), offer.deviceName());
    }

    @Test
    void nameKeepsEmojiAndAccents() {
        Offer offer = assertInstanceOf(Offer.class, SignalingMessages.parse(
                "{\"type\":\"offer\",\"sdp\":\"v=0\",\"device_name\":\"Jo\u00e3o's \uD83D\uDCF1\"}"));
        assertEquals("Jo\u00e3o's \uD83D\uDCF1", offer.deviceName());
    }

    @Test
    void candidateParsed() {
        Candidate candidate = assertInstanceOf(Candidate.class, SignalingMessages.parse(
                "{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"" + HOST_CANDIDATE
                        + "\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}}"));
        assertEquals(HOST_CANDIDATE, candidate.candidate().candidate());
        assertEquals("0", candidate.candidate().sdpMid());
        assertEquals(0, candidate.candidate().sdpMLineIndex());
    }

    @Test
    void endOfCandidates() {
        assertInstanceOf(EndOfCandidates.class, SignalingMessages.parse("{\"type\":\"ice_candidate\"}"));
        assertInstanceOf(EndOfCandidates.class, SignalingMessages.parse("{\"type\":\"ice_candidate\",\"candidate\":null}"));
        assertInstanceOf(EndOfCandidates.class, SignalingMessages.parse(
                "{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":\"\",\"sdpMid\":\"0\"}}"));
    }

    @Test
    void candidateFieldErrors() {
        assertError("{\"type\":\"ice_candidate\",\"candidate\":\"candidate:1\"}", "object or null");
        assertError(candidate("\"" + HOST_CANDIDATE + "\"", "\"0\"", "\"x\""), "Invalid ICE candidate");
        assertError(candidate("\"" + HOST_CANDIDATE + "\"", "\"0\"", "-1"), "Invalid ICE candidate");
        assertError(candidate("\"" + HOST_CANDIDATE + "\"", "\"0\"", "99999999999"), "Invalid ICE candidate");
        assertError(candidate("\"" + HOST_CANDIDATE + "\"", "null", "null"), "sdpMid or sdpMLineIndex");
        assertError(candidate("12", "\"0\"", "0"), "Invalid ICE candidate");
        assertError(candidate("\"" + HOST_CANDIDATE + " " + "x".repeat(1100) + "\"", "\"0\"", "0"), "at most 1024");
    }

    @Test
    void candidateLineErrors() {
        assertTrue(SignalingMessages.candidateLineError("candidate:1").contains("expected"));
        assertTrue(SignalingMessages.candidateLineError("foo 1 udp 1 10.0.0.1 5000 typ host").contains("expected"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 10.0.0.1 5000 type host").contains("expected"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 x udp 1 10.0.0.1 5000 typ host").contains("expected"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 99999999999 10.0.0.1 5000 typ host")
                .contains("expected"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 10.0.0.1 70000 typ host").contains("port"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 10.0.0.1 -1 typ host").contains("port"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 10.0.0.1 http typ host").contains("port"));
        assertTrue(SignalingMessages.candidateLineError(
                "candidate:1 1 udp 1 4b1c2d3e-aaaa-bbbb-cccc-0123456789ab.local 5000 typ host").contains("mDNS"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 example.com 5000 typ host").contains("IP address"));
        assertTrue(SignalingMessages.candidateLineError("candidate:1 1 udp 1 256.1.1.1 5000 typ host").contains("IP address"));
    }

    @Test
    void candidateLinesAccepted() {
        assertNull(SignalingMessages.candidateLineError(HOST_CANDIDATE));
        assertNull(SignalingMessages.candidateLineError("a=" + HOST_CANDIDATE));
        assertNull(SignalingMessages.candidateLineError("candidate:842163049 1 udp 1677729535 203.0.113.7 61665 typ srflx "
                + "raddr 10.0.0.2 rport 61665 generation 0 ufrag abcd network-cost 999"));
        assertNull(SignalingMessages.candidateLineError("candidate:3 1 tcp 1518280447 fe80::1 9 typ host tcptype active"));
    }

    @Test
    void locationMessages() {
        assertEquals("Lisbon", assertInstanceOf(Location.class,
                SignalingMessages.parse("{\"type\":\"device_location\",\"location\":\"Lisbon\"}")).location());
        assertInstanceOf(Ignored.class, SignalingMessages.parse("{\"type\":\"device_location\",\"location\":null}"));
        assertError("{\"type\":\"device_location\",\"location\":{\"lat\":1}}", "location");
    }

    @Test
    void unknownTypesIgnored() {
        assertEquals("answer", assertInstanceOf(Ignored.class,
                SignalingMessages.parse("{\"type\":\"answer\",\"sdp\":\"v=0\"}")).type());
        assertInstanceOf(Ignored.class, SignalingMessages.parse("{\"type\":\"\"}"));
    }

    private static String candidate(String line, String mid, String index) {
        return "{\"type\":\"ice_candidate\",\"candidate\":{\"candidate\":" + line + ",\"sdpMid\":" + mid
                + ",\"sdpMLineIndex\":" + index + "}}";
    }

    private static void assertError(String frame, String expected) {
        Message message = SignalingMessages.parse(frame);
        Invalid invalid = assertInstanceOf(Invalid.class, message, () -> "no error for " + abbreviate(frame));
        assertTrue(invalid.error().contains(expected), () -> "error \"" + invalid.error() + "\" for "
                + abbreviate(frame) + " does not contain " + expected);
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
    }
}
