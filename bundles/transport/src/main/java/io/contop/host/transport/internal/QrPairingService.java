package io.contop.host.transport.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingService;
import io.contop.host.api.PairingToken;
import io.contop.host.api.ProviderCredential;
import io.contop.host.api.ProviderCredentials;
import io.contop.host.api.ProviderNotConfiguredException;
import io.contop.host.api.QrEncoder;
import io.contop.host.api.QrImage;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.Timestamps;
import io.contop.host.api.TokenEndReason;
import io.contop.host.api.TokenListener;
import io.contop.host.api.TokenStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Pairs devices and renders their QR codes from the paths and credentials registered now. */
@Component(immediate = true, service = {PairingService.class, TokenListener.class})
public final class QrPairingService implements PairingService, TokenListener {
    private static final Logger LOG = LoggerFactory.getLogger(QrPairingService.class);

    private final TokenStore tokens;
    private final QrEncoder encoder;
    private final ProviderCredentials credentials;

    /** Dynamic, because the transport restarts on a port change and looks this service up itself. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SignalingTransport transport;
    private volatile QrImage lastQr;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<NetworkPath> paths = new ArrayList<>();

    @Activate
    public QrPairingService(@Reference TokenStore tokens, @Reference QrEncoder encoder,
            @Reference ProviderCredentials credentials) {
        this.tokens = tokens;
        this.encoder = encoder;
        this.credentials = credentials;
    }

    @Override
    public CompletionStage<Pairing> pair(String deviceId, ConnectionType type) {
        List<ProviderCredential> current = credentials.current();
        if (current.isEmpty()) {
            return CompletableFuture.failedFuture(new ProviderNotConfiguredException(
                    "No AI provider is configured: set an API key (for example GEMINI_API_KEY) or a subscription"));
        }
        if (transport == null) {
            return CompletableFuture.failedFuture(
                    new PairingException("The listener is restarting; try again in a moment"));
        }
        return tokens.pair(deviceId, type).thenApply(token -> render(token, current));
    }

    private Pairing render(PairingToken token, List<ProviderCredential> current) {
        SignalingTransport listener = transport;
        if (listener == null) {
            throw new CompletionException(new PairingException("The listener is restarting; try again in a moment"));
        }
        try {
            QrImage image = encoder.encode(QrPayloads.build(token, listener.port(), currentPaths(), current,
                    Timestamps.format(token.expiresAt())));
            lastQr = image;
            return new Pairing(token, image);
        } catch (RuntimeException e) {
            LOG.error("Rendering the QR code failed for token {}: {}", token.prefix(), e.getMessage());
            throw new CompletionException(new PairingException("Failed to render the QR code", e));
        }
    }

    /** Returns the network paths registered now, highest service ranking first. */
    List<NetworkPath> currentPaths() {
        List<NetworkPath> current = new ArrayList<>(paths);
        Collections.reverse(current);
        return current;
    }

    @Override
    public Optional<QrImage> lastQr() {
        return Optional.ofNullable(lastQr);
    }

    @Override
    public Optional<PairingToken> revoke(String deviceId) {
        lastQr = null;
        return tokens.revoke(deviceId);
    }

    @Override
    public void tokenEnded(PairingToken token, TokenEndReason reason) {
        lastQr = null;
    }
}
