package io.contop.host.path.tailscale.internal;

import io.contop.host.api.NetworkPath;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tailscale path ({@code ts} in the QR code). A background thread runs {@code tailscale ip -4}
 * at activation and then periodically. When the CLI yields no address, the IPv4 address of an
 * interface named {@code tailscale*} is used instead. {@link #currentAddress()} returns the cached
 * result at once, so a hanging CLI never delays a pairing.
 */
@Component(immediate = true, service = NetworkPath.class, configurationPid = TailscaleNetworkPath.PID,
        property = {NetworkPath.PROPERTY_ID + "=tailscale", "service.ranking:Integer=200"})
@Designate(ocd = TailscaleNetworkPath.Config.class)
public final class TailscaleNetworkPath implements NetworkPath {
    static final String PID = "io.contop.host.path.tailscale";

    @ObjectClassDefinition(name = "Contop Host Tailscale path",
            description = "The Tailscale IPv4 address put in the QR code as ts.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled",
                description = "Whether the Tailscale address is detected and put in the QR code.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Tailscale CLI",
                description = "Path of the tailscale program, or a program name looked up on PATH.")
        String binary() default "tailscale";

        @AttributeDefinition(name = "CLI timeout (seconds)", min = "1", max = "60",
                description = "A 'tailscale ip -4' run that takes longer is killed and yields no address.")
        int timeout_seconds() default 2;

        @AttributeDefinition(name = "Refresh interval (seconds)", min = "1", max = "3600",
                description = "How often the address is detected again.")
        int refresh_seconds() default 30;
    }

    /** Source of interface addresses, replaced in tests. */
    @FunctionalInterface
    interface InterfaceLister {
        List<InterfaceAddress> list() throws SocketException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(TailscaleNetworkPath.class);

    private final TailscaleCli cli;
    private final InterfaceLister interfaces;
    private final ScheduledExecutorService detector;
    private volatile Optional<String> address = Optional.empty();
    private volatile String lastLogged = "";

    @Activate
    public TailscaleNetworkPath(Config config) {
        this(config, InterfaceAddress::list);
    }

    TailscaleNetworkPath(Config config, InterfaceLister interfaces) {
        validate(config);
        this.cli = new TailscaleCli(config.binary().strip(), Duration.ofSeconds(config.timeout_seconds()));
        this.interfaces = interfaces;
        if (!config.enabled()) {
            LOG.info("Tailscale path disabled by configuration ({}), so QR codes carry no ts", PID);
            this.detector = null;
            return;
        }
        this.detector = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "contop-path-tailscale");
            thread.setDaemon(true);
            return thread;
        });
        detector.scheduleWithFixedDelay(this::detect, 0, config.refresh_seconds(), TimeUnit.SECONDS);
    }

    private static void validate(Config config) {
        if (config.binary() == null || config.binary().isBlank()) {
            throw new IllegalArgumentException("binary must name the tailscale program, was empty");
        }
        if (config.timeout_seconds() < 1 || config.timeout_seconds() > 60) {
            throw new IllegalArgumentException("timeout.seconds must be from 1 to 60, was " + config.timeout_seconds());
        }
        if (config.refresh_seconds() < 1) {
            throw new IllegalArgumentException("refresh.seconds must be at least 1, was " + config.refresh_seconds());
        }
    }

    /** Stops detection. A CLI run in progress is interrupted, and its process is killed. */
    @Deactivate
    void deactivate() {
        if (detector != null) {
            detector.shutdownNow();
        }
    }

    @Override
    public String id() {
        return "tailscale";
    }

    @Override
    public String qrKey() {
        return "ts";
    }

    @Override
    public Optional<String> currentAddress() {
        return address;
    }

    /** Runs one detection and caches its result. Tests call it directly. */
    void detect() {
        try {
            address = find();
        } catch (RuntimeException e) {
            LOG.warn("Tailscale address detection failed: {}", e.toString());
        }
    }

    private Optional<String> find() {
        TailscaleCli.Result result = cli.run();
        if (Thread.currentThread().isInterrupted()) {
            // Deactivation cut the run short, which must not be logged as a timeout.
            return Optional.empty();
        }
        if (result.address().isPresent()) {
            logOnce("Tailscale address " + result.address().get() + " (from 'tailscale ip -4')", false);
            return result.address();
        }

        Optional<InterfaceAddress> fallback = interfaceFallback();
        String cliOutcome = describe(result);
        if (fallback.isPresent()) {
            String ip = fallback.get().address().getHostAddress();
            logOnce("Tailscale address " + ip + " on " + fallback.get().interfaceName() + " (" + cliOutcome + ")",
                    false);
            return Optional.of(ip);
        }
        logOnce("No Tailscale address: " + cliOutcome + ", and no tailscale* interface has one; "
                + "the QR code carries no ts", result.status() == TailscaleCli.Status.TIMED_OUT);
        return Optional.empty();
    }

    private Optional<InterfaceAddress> interfaceFallback() {
        List<InterfaceAddress> candidates;
        try {
            candidates = interfaces.list();
        } catch (SocketException e) {
            LOG.debug("Listing network interfaces failed: {}", e.toString());
            return Optional.empty();
        }
        return candidates.stream()
                .filter(candidate -> candidate.interfaceName().startsWith("tailscale"))
                .filter(candidate -> TailscaleCli.isTailscaleAddress(candidate.address().getHostAddress()))
                .findFirst();
    }

    private String describe(TailscaleCli.Result result) {
        return switch (result.status()) {
            case NOT_RUNNABLE -> "the Tailscale CLI cannot be run (" + result.detail() + ")";
            case TIMED_OUT -> "'tailscale ip -4' timed out (" + result.detail() + ")";
            case FAILED -> "'tailscale ip -4' failed (" + result.detail() + ")";
            case NO_ADDRESS -> "'tailscale ip -4' " + result.detail();
            case FOUND -> "found";
        };
    }

    /** Logs a detection result when it differs from the previous one, so a periodic failure logs once. */
    private void logOnce(String message, boolean warning) {
        if (message.equals(lastLogged)) {
            return;
        }
        lastLogged = message;
        if (warning) {
            LOG.warn(message);
        } else {
            LOG.info(message);
        }
    }
}
