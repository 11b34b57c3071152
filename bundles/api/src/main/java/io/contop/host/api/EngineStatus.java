package io.contop.host.api;

/**
 * Whether the WebRTC engine can open sessions.
 *
 * @param available true when the native library loaded and the factory works
 * @param detail a description for {@code /health} and the start-up log: the library version, or
 *     why it could not load
 */
public record EngineStatus(boolean available, String detail) {
}
