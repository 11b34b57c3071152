package io.contop.host.transport.internal;

import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingService;
import io.contop.host.api.TokenStore;
import io.contop.host.api.TunnelControl;
import io.contop.host.api.WebRtcEngine;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The services the HTTP handlers use.
 *
 * @param pairing the pairing service registered now, or null while it is not (yet) registered
 * @param paths the network paths registered now, highest ranking first
 * @param port the port of the public listener
 * @param tunnel the tunnel control registered now, or null when no tunnel bundle provides one
 */
record HostServices(TokenStore tokens, Supplier<PairingService> pairing, WebRtcEngine engine,
        Supplier<List<NetworkPath>> paths, IntSupplier port, String version, Supplier<TunnelControl> tunnel) {
}
