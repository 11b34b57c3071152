package io.contop.host.api;

import java.util.Optional;

/**
 * The static files of the local console. The transport serves them under {@code /console/}, to
 * loopback clients of its public listener only; the tunnel listener never serves them.
 * Implementations are thread-safe.
 */
public interface ConsoleResources {

    /**
     * Returns the file at {@code path}, relative to {@code /console/} ({@code ""} is the index
     * page), or empty when there is no such file or the console is disabled.
     *
     * @param path a relative path without a leading slash, already URL-decoded by the caller
     */
    Optional<Resource> resource(String path);

    /**
     * One file of the console.
     *
     * @param contentType the media type, with a charset for text
     * @param content the bytes sent as the response body
     */
    record Resource(String contentType, byte[] content) {
        @Override
        public String toString() {
            return "Resource[" + contentType + ", " + content.length + " bytes]";
        }
    }
}
