package io.contop.host.transport.internal;

import io.contop.host.api.NetworkPath;
import io.contop.host.api.ProviderCredentials;
import io.contop.host.api.QrEncoder;
import io.contop.host.api.TokenStore;
import io.contop.host.api.WebRtcEngine;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The services the HTTP handlers use, and the state they share.
 *
 * @param paths the network paths registered now, highest ranking first
 * @param port the port of the public listener
 * @param lastQr the most recent QR code image, cleared on any revocation
 */
record HostServices(TokenStore tokens, QrEncoder qr, ProviderCredentials credentials, WebRtcEngine engine,
        Supplier<List<NetworkPath>> paths, IntSupplier port, LastQr lastQr, String version) {

    /** The PNG of the last QR code generated, or null. */
    static final class LastQr {
        private volatile byte[] png;

        byte[] get() {
            return png;
        }

        void set(byte[] value) {
            png = value;
        }

        void clear() {
            png = null;
        }
    }
}
