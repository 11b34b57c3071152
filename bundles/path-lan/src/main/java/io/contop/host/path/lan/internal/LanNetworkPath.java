package io.contop.host.path.lan.internal;

import io.contop.host.api.NetworkPath;
import java.net.SocketException;
import java.nio.file.Path;
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
 * The LAN path ({@code h} in the QR code). Detection runs at activation and then periodically on
 * a background thread; {@link #currentAddress()} returns the cached result.
 */
@Component(immediate = true, service = NetworkPath.class, configurationPid = "io.contop.host.path.lan",
        property = {NetworkPath.PROPERTY_ID + "=lan", "service.ranking:Integer=300"})
@Designate(ocd = LanNetworkPath.Config.class)
public final class LanNetworkPath implements NetworkPath {

    @ObjectClassDefinition(name = "Contop Host LAN path",
            description = "The LAN IPv4 address put in the QR code as h.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled",
                description = "Whether the LAN address is detected and put in the QR code; false leaves h empty.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Address override", required = false,
                description = "Fixed IPv4 address to advertise; empty to detect.")
        String address() default "";

        @AttributeDefinition(name = "Interface override", required = false,
                description = "Interface whose IPv4 address to advertise, such as eth0; empty to detect.")
        String interface_name() default "";

        @AttributeDefinition(name = "Refresh interval (seconds)", min = "1", max = "3600",
                description = "How often the address is detected again.")
        int refresh_seconds() default 10;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LanNetworkPath.class);
    private static final Path PROC_NET_ROUTE = Path.of("/proc/net/route");

    private final Config config;
    private final ScheduledExecutorService detector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "contop-path-lan");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Optional<String> address = Optional.empty();
    private volatile String lastLogged = "";

    @Activate
    public LanNetworkPath(Config config) {
        if (config.refresh_seconds() < 1) {
            throw new IllegalArgumentException("refresh.seconds must be at least 1, was " + config.refresh_seconds());
        }
        String override = config.address() == null ? "" : config.address().strip();
        if (!override.isEmpty() && !override.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("address must be an IPv4 address, was \"" + override + "\"");
        }
        this.config = config;
        if (!config.enabled()) {
            LOG.info("LAN path disabled by configuration (io.contop.host.path.lan); QR codes carry an empty h");
            detector.shutdown();
            return;
        }
        detect();
        detector.scheduleWithFixedDelay(this::detect, config.refresh_seconds(), config.refresh_seconds(),
                TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        detector.shutdownNow();
    }

    @Override
    public String id() {
        return "lan";
    }

    @Override
    public String qrKey() {
        return "h";
    }

    @Override
    public Optional<String> currentAddress() {
        return address;
    }

    private void detect() {
        try {
            address = Optional.ofNullable(find());
        } catch (RuntimeException | SocketException e) {
            LOG.warn("LAN address detection failed: {}", e.toString());
        }
    }

    private String find() throws SocketException {
        String override = config.address().strip();
        if (!override.isEmpty()) {
            logOnce("LAN address " + override + " (configured)", false);
            return override;
        }
        List<InterfaceAddress> addresses = LanAddressSelector.interfaceAddresses();
        String configuredInterface = config.interface_name().strip();
        if (!configuredInterface.isEmpty()) {
            Optional<InterfaceAddress> match = addresses.stream()
                    .filter(candidate -> candidate.interfaceName().equals(configuredInterface)).findFirst();
            logOnce(match.map(found -> "LAN address " + found.address().getHostAddress() + " on " + configuredInterface
                    + " (configured interface)").orElse("Configured LAN interface " + configuredInterface
                    + " has no IPv4 address"), match.isEmpty());
            return match.map(found -> found.address().getHostAddress()).orElse(null);
        }

        Optional<LanAddressSelector.Selection> selection =
                LanAddressSelector.select(addresses, LanAddressSelector.defaultRouteInterface(PROC_NET_ROUTE));
        if (selection.isEmpty()) {
            logOnce("No LAN address found: no usable IPv4 interface is up; the QR code's h will be empty", true);
            return null;
        }
        InterfaceAddress chosen = selection.get().address();
        if (selection.get().viaDefaultRoute()) {
            logOnce("LAN address " + chosen.address().getHostAddress() + " on " + chosen.interfaceName(), false);
        } else {
            logOnce("No default route; using private address " + chosen.address().getHostAddress() + " on "
                    + chosen.interfaceName() + ", which the phone may not reach", true);
        }
        return chosen.address().getHostAddress();
    }

    /** Logs a detection result when it differs from the previous one. */
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
