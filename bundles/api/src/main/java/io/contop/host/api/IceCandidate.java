package io.contop.host.api;

/**
 * An ICE candidate as signaling carries it.
 *
 * @param candidate the {@code candidate:...} line
 * @param sdpMid the media stream id, or null when only the index is known
 * @param sdpMLineIndex the index of the media section, or null when only the mid is known
 */
public record IceCandidate(String candidate, String sdpMid, Integer sdpMLineIndex) {
}
