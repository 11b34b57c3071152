package io.contop.host.shell.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.PairingService;
import io.contop.host.api.ProviderNotConfiguredException;
import io.contop.host.api.QrTerminalText;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.TokenStore;
import java.io.PrintStream;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints a permanent pairing's QR code once when the daemon starts on a terminal and no permanent
 * pairing exists yet, so that a first run needs no other tool. Nothing is printed, and no pairing
 * is made, when standard input or output is not a terminal (a service, a pipe, a test) or
 * {@code startup.qr} is false.
 */
@Component(immediate = true, service = {}, configurationPid = ShellSettings.PID)
public final class StartupQr {
    private static final Logger LOG = LoggerFactory.getLogger(StartupQr.class);

    /** Set at the first attempt in this bundle's life, so that a later activation never prints again. */
    private static final AtomicBoolean ATTEMPTED = new AtomicBoolean();

    private final boolean wanted;
    // Dynamic references, so that a transport restart (such as a port change) leaves this component alone.
    private volatile PairingService pairing;
    private volatile TokenStore tokens;
    private volatile SignalingTransport transport;

    @Activate
    public StartupQr(ShellSettings settings) {
        this.wanted = settings.startup_qr() && QrTerminalText.standardOutputIsTerminal();
    }

    @Activate
    void activate() {
        printOnce();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindPairing(PairingService service) {
        pairing = service;
        printOnce();
    }

    void unbindPairing(PairingService service) {
        if (pairing == service) {
            pairing = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTokens(TokenStore service) {
        tokens = service;
        printOnce();
    }

    void unbindTokens(TokenStore service) {
        if (tokens == service) {
            tokens = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void bindTransport(SignalingTransport service) {
        transport = service;
        printOnce();
    }

    void unbindTransport(SignalingTransport service) {
        if (transport == service) {
            transport = null;
        }
    }

    /** Prints once all three services are bound, at most once in this bundle's life. */
    private void printOnce() {
        PairingService currentPairing = pairing;
        TokenStore currentTokens = tokens;
        SignalingTransport currentTransport = transport;
        if (!wanted || currentPairing == null || currentTokens == null || currentTransport == null
                || !ATTEMPTED.compareAndSet(false, true)) {
            return;
        }
        print(currentPairing, currentTokens, currentTransport.port());
    }

    private static void print(PairingService pairing, TokenStore tokens, int port) {
        boolean hasPermanent = tokens.tokens().stream()
                .anyMatch(token -> token.connectionType() == ConnectionType.PERMANENT);
        if (hasPermanent) {
            return;
        }
        PrintStream out = System.out;
        pairing.pair(null, ConnectionType.PERMANENT).whenComplete((result, error) -> {
            if (error == null) {
                out.print("\nNo phone is paired yet. Scan this QR code with the Contop app:\n\n"
                        + TerminalText.qr(result.qr().modules(), ConnectionType.PERMANENT.wireName(),
                                result.token().expiresAt())
                        + "Later: contop-host pair [--temp], the shell command contop:pair, or the console at "
                        + "http://127.0.0.1:" + port + "/console/\n\n");
                out.flush();
                LOG.info("Printed the start-up QR code of permanent token {}", result.token().prefix());
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof ProviderNotConfiguredException) {
                out.println("\nNo phone is paired yet, and no QR code can be made: " + cause.getMessage()
                        + ". Then run contop-host pair.\n");
            } else {
                LOG.warn("The start-up QR code could not be made: {}", cause.getMessage());
            }
        });
    }
}
