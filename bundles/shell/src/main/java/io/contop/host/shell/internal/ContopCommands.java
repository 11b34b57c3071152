package io.contop.host.shell.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingService;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PeerSession;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.TokenStore;
import io.contop.host.api.TunnelControl;
import io.contop.host.api.WebRtcEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code contop:} Gogo commands. Gogo prints what a command returns; a failure is thrown, and
 * Gogo prints its message. Every service is an optional reference, so the commands stay available
 * and report which part is missing while a bundle is stopped.
 */
@Component(immediate = true, service = ContopCommands.class, configurationPid = ShellSettings.PID, property = {
    "osgi.command.scope=contop",
    "osgi.command.function=pair",
    "osgi.command.function=devices",
    "osgi.command.function=revoke",
    "osgi.command.function=paths",
    "osgi.command.function=tunnel"})
@Designate(ocd = ShellSettings.class)
public final class ContopCommands {
    private static final Logger LOG = LoggerFactory.getLogger(ContopCommands.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PairingService pairing;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TokenStore tokens;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile WebRtcEngine engine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SignalingTransport transport;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TunnelControl tunnel;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<NetworkPath> paths = new ArrayList<>();

    private final int pairWaitSeconds;
    private final int tunnelWaitSeconds;

    @Activate
    public ContopCommands(ShellSettings settings) {
        if (settings.pair_wait_seconds() < 1 || settings.tunnel_wait_seconds() < 1) {
            throw new IllegalArgumentException("pair.wait.seconds and tunnel.wait.seconds must be at least 1, were "
                    + settings.pair_wait_seconds() + " and " + settings.tunnel_wait_seconds());
        }
        this.pairWaitSeconds = settings.pair_wait_seconds();
        this.tunnelWaitSeconds = settings.tunnel_wait_seconds();
    }

    @Descriptor("Pair a device and print its QR code and expiry")
    public String pair(
            @Descriptor("make a temporary pairing (4 hours) instead of a permanent one (30 days)")
            @Parameter(names = {"-t", "--temp"}, presentValue = "true", absentValue = "false") boolean temp,
            @Descriptor("the device id; pairing an id again renews its permanent token or replaces a temp one (default: none)")
            @Parameter(names = {"-d", "--device-id"}, absentValue = "") String deviceId) throws InterruptedException {
        PairingService service = require(pairing, "pairing service");
        String id = deviceId == null || deviceId.isBlank() ? null : deviceId.strip();
        if (id != null && (id.length() > 128 || id.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("--device-id must be 1 to 128 characters without control characters");
        }
        ConnectionType type = temp ? ConnectionType.TEMP : ConnectionType.PERMANENT;
        PairingService.Pairing result;
        try {
            result = service.pair(id, type).toCompletableFuture().get(pairWaitSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new IllegalStateException("Pairing failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Pairing did not finish within " + pairWaitSeconds
                    + " s (pair.wait.seconds in " + ShellSettings.PID + ")");
        }
        LOG.info("Shell paired {} token {} for device {}", type.wireName(), result.token().prefix(), id);
        return TerminalText.qr(result.qr().modules(), type.wireName(), result.token().expiresAt());
    }

    @Descriptor("List the paired devices")
    public String devices() {
        TokenStore store = require(tokens, "token store");
        List<List<String>> rows = new ArrayList<>();
        for (PairingToken token : store.tokens()) {
            rows.add(List.of(
                    token.displayName(),
                    token.deviceId() == null ? "-" : token.deviceId(),
                    token.connectionType().wireName(),
                    isConnected(token) ? "yes" : "no",
                    token.device().connectionPath() == null ? "-" : token.device().connectionPath(),
                    token.device().lastLocation() == null ? "-" : token.device().lastLocation(),
                    TerminalText.localTime(token.device().lastSeen()),
                    TerminalText.localTime(token.expiresAt())));
        }
        if (rows.isEmpty()) {
            return "No device is paired. Pair one with contop:pair.\n";
        }
        return TerminalText.table(List.of("NAME", "DEVICE ID", "TYPE", "CONNECTED", "PATH", "LOCATION", "LAST SEEN",
                "EXPIRES"), rows);
    }

    @Descriptor("Revoke the newest permanent pairing, else the newest pairing, and close its session")
    public String revoke() {
        return revokeSelected(null);
    }

    @Descriptor("Revoke the pairing of a device id and close its session")
    public String revoke(@Descriptor("the device id, as contop:devices lists it") String deviceId) {
        return revokeSelected(deviceId == null || deviceId.isBlank() ? null : deviceId.strip());
    }

    private String revokeSelected(String deviceId) {
        PairingService service = require(pairing, "pairing service");
        Optional<PairingToken> revoked = service.revoke(deviceId);
        if (revoked.isEmpty()) {
            return deviceId == null ? "No pairing to revoke.\n" : "No pairing for device " + TerminalText.sanitize(deviceId)
                    + " to revoke.\n";
        }
        PairingToken token = revoked.get();
        return "Revoked " + TerminalText.sanitize(token.displayName()) + " (" + token.connectionType().wireName()
                + " pairing, token " + token.prefix() + "...); its session is closed.\n";
    }

    @Descriptor("List the network paths and the addresses they put in QR codes")
    public String paths() {
        List<NetworkPath> current = new ArrayList<>(paths);
        Collections.reverse(current);
        List<List<String>> rows = new ArrayList<>();
        for (NetworkPath path : current) {
            rows.add(List.of(path.id(), path.qrKey(), path.currentAddress().orElse("(none)"),
                    path.appliesTo(ConnectionType.PERMANENT) ? "permanent and temp" : "temp only"));
        }
        SignalingTransport listener = transport;
        String port = listener == null ? "Port: (the listener is not running)\n" : "Port: " + listener.port() + "\n";
        if (rows.isEmpty()) {
            return port + "No network path is installed.\n";
        }
        return port + TerminalText.table(List.of("PATH", "QR KEY", "ADDRESS", "QR CODES"), rows);
    }

    @Descriptor("Start the tunnel, wait until it is up and print its URL")
    public String tunnel() throws InterruptedException {
        TunnelControl control = tunnel;
        if (control == null) {
            throw new IllegalStateException("No tunnel is installed: the path-tunnel bundle is not running");
        }
        Optional<String> running = control.url();
        if (running.isPresent()) {
            return "The tunnel is already running: " + running.get() + "\n";
        }
        try {
            String url = control.start().toCompletableFuture().get(tunnelWaitSeconds, TimeUnit.SECONDS);
            return "Tunnel running: " + url + "\nTemporary QR codes made from now on carry its address.\n";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException && e.getCause().getCause() != null
                    ? e.getCause().getCause() : e.getCause();
            throw new IllegalStateException("The tunnel did not start: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("The tunnel is not up after " + tunnelWaitSeconds
                    + " s; it keeps starting in the background. Check it with contop:paths.");
        }
    }

    private boolean isConnected(PairingToken token) {
        WebRtcEngine current = engine;
        if (current == null) {
            return false;
        }
        for (PeerSession session : current.sessions()) {
            if (session.token().token().equals(token.token()) && session.isConnected()) {
                return true;
            }
        }
        return false;
    }

    private static <T> T require(T service, String name) {
        if (service == null) {
            throw new IllegalStateException("The " + name + " is not running; check the daemon's log");
        }
        return service;
    }
}
