package io.contop.host.path.tunnel.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.TunnelControl;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cloudflare quick tunnel path ({@code s} in QR codes of temp tokens only). The tunnel is
 * started on request through {@link TunnelControl} ({@code POST /api/tunnel/start}) and forwards
 * to the transport's loopback tunnel listener, which serves only {@code /ws/signaling} and
 * {@code /health}. Deactivation stops cloudflared.
 */
@Component(immediate = true, service = {NetworkPath.class, TunnelControl.class},
        configurationPid = CloudflaredTunnelPath.PID,
        property = {NetworkPath.PROPERTY_ID + "=tunnel", "service.ranking:Integer=100"},
        reference = @Reference(name = CloudflaredTunnelPath.TRANSPORT, service = SignalingTransport.class))
@Designate(ocd = CloudflaredTunnelPath.Config.class)
public final class CloudflaredTunnelPath implements NetworkPath, TunnelControl {
    static final String PID = "io.contop.host.path.tunnel";
    /**
     * The transport reference. It is looked up only when the tunnel starts, never at activation:
     * the transport binds this component's services while it activates, so getting the transport
     * here would be a circular reference.
     */
    static final String TRANSPORT = "transport";

    @ObjectClassDefinition(name = "Contop Host Cloudflare tunnel",
            description = "A Cloudflare quick tunnel to the signaling endpoint, put in temp QR codes as s.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled", description = "Whether the tunnel may be started.")
        boolean enabled() default true;

        @AttributeDefinition(name = "cloudflared program",
                description = "Path of the cloudflared program, or a program name looked up on PATH.")
        String binary() default "cloudflared";

        @AttributeDefinition(name = "Start timeout (seconds)", min = "1", max = "600",
                description = "A start fails when cloudflared prints no tunnel URL within this time.")
        int start_timeout_seconds() default 30;

        @AttributeDefinition(name = "First back-off delay (seconds)", min = "1", max = "3600",
                description = "Wait after a failed start or a dropped tunnel. It doubles with each further failure.")
        int restart_delay_seconds() default 5;

        @AttributeDefinition(name = "Longest back-off delay (seconds)", min = "1", max = "86400",
                description = "Upper bound of the doubling back-off delay.")
        int restart_max_delay_seconds() default 300;

        @AttributeDefinition(name = "Start with temp QR codes",
                description = "Start the tunnel in the background whenever a temp QR code is made. "
                        + "That QR code carries s only if the tunnel is already up.")
        boolean start_on_temp_pairing() default false;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CloudflaredTunnelPath.class);

    private final QuickTunnel tunnel;
    private final boolean startOnTempPairing;

    @Activate
    public CloudflaredTunnelPath(ComponentContext context, Config config) {
        this(() -> {
            SignalingTransport transport = context.locateService(TRANSPORT);
            return transport == null ? -1 : transport.tunnelPort();
        }, config);
    }

    /** @param tunnelPort supplies the transport's tunnel listener port, or -1 while there is none */
    CloudflaredTunnelPath(IntSupplier tunnelPort, Config config) {
        validate(config);
        QuickTunnel.Settings settings = new QuickTunnel.Settings(config.enabled(), config.binary().strip(),
                Duration.ofSeconds(config.start_timeout_seconds()), Duration.ofSeconds(config.restart_delay_seconds()),
                Duration.ofSeconds(config.restart_max_delay_seconds()));
        this.tunnel = new QuickTunnel(settings, tunnelPort, System.getenv(), PID);
        tunnel.removeLeftoversInBackground();
        this.startOnTempPairing = config.start_on_temp_pairing();
        if (settings.enabled()) {
            LOG.info("Cloudflare tunnel ready to start on request (binary {}, start timeout {} s, {})",
                    settings.binary(), config.start_timeout_seconds(),
                    startOnTempPairing ? "also started by temp QR codes" : "not started by QR codes");
        } else {
            LOG.info("Cloudflare tunnel disabled by configuration ({})", PID);
        }
    }

    private static void validate(Config config) {
        if (config.binary() == null || config.binary().isBlank()) {
            throw new IllegalArgumentException("binary must name the cloudflared program, was empty");
        }
        if (config.start_timeout_seconds() < 1) {
            throw new IllegalArgumentException(
                    "start.timeout.seconds must be at least 1, was " + config.start_timeout_seconds());
        }
        if (config.restart_delay_seconds() < 1 || config.restart_max_delay_seconds() < config.restart_delay_seconds()) {
            throw new IllegalArgumentException("restart.delay.seconds must be at least 1 and at most "
                    + "restart.max.delay.seconds, were " + config.restart_delay_seconds() + " and "
                    + config.restart_max_delay_seconds());
        }
    }

    /** Stops cloudflared and everything it started. */
    @Deactivate
    void deactivate() {
        tunnel.close();
    }

    @Override
    public String id() {
        return "tunnel";
    }

    @Override
    public String qrKey() {
        return "s";
    }

    /** Returns {@code wss://<tunnel host>/ws/signaling} while the tunnel is up. */
    @Override
    public Optional<String> currentAddress() {
        return tunnel.url().map(CloudflaredTunnelPath::signalingUrl);
    }

    /**
     * Returns true for temp tokens only. With {@code start.on.temp.pairing} set, a temp QR code also
     * starts the tunnel in the background.
     */
    @Override
    public boolean appliesTo(ConnectionType type) {
        if (type != ConnectionType.TEMP) {
            return false;
        }
        // NOTE: the transport calls appliesTo once per QR code it builds, and that call is the only
        // hook a path has into pairing. The QR code being built gets s only if the tunnel is already up.
        if (startOnTempPairing && tunnel.url().isEmpty()) {
            tunnel.start().whenComplete((url, error) -> {
                if (error != null) {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    LOG.warn("Starting the tunnel for a temp QR code failed: {}", cause.getMessage());
                }
            });
        }
        return true;
    }

    @Override
    public CompletionStage<String> start() {
        return tunnel.start();
    }

    @Override
    public Optional<String> url() {
        return tunnel.url();
    }

    /** Turns {@code https://<host>} into {@code wss://<host>/ws/signaling}. */
    static String signalingUrl(String httpsUrl) {
        URI uri = URI.create(httpsUrl);
        return "wss://" + uri.getAuthority() + "/ws/signaling";
    }
}
