package io.contop.host.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Starts and reports the public tunnel to the host's signaling endpoint (a Cloudflare quick
 * tunnel). Implementations are thread-safe.
 */
public interface TunnelControl {

    /**
     * Starts the tunnel unless it runs already.
     *
     * @return a stage completed with the tunnel's public base URL ({@code https://<host>}), or
     *     exceptionally with {@link TunnelUnavailableException} saying why it could not start
     */
    CompletionStage<String> start();

    /** Returns the public base URL while the tunnel is up. */
    Optional<String> url();
}
