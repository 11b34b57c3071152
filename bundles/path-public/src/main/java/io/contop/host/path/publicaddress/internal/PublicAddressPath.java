package io.contop.host.path.publicaddress.internal;

import io.contop.host.api.NetworkPath;
import java.util.Optional;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A drop-in network path: a public host name or port-forward address that the user configured,
 * put in the QR code under its own key {@code pf}. Phones that do not know the key ignore it.
 *
 * <p>This bundle is not installed by default. Copying its jar into the daemon's {@code deploy/}
 * directory installs it while the daemon runs, and the next QR code carries {@code pf}. Deleting
 * the jar uninstalls it, and DS removes the service, so the key disappears again.
 *
 * <p>The address comes from the {@code address} property of configuration
 * {@value #PID}. When that is empty, it comes from the daemon's environment variable
 * {@value #ENVIRONMENT_VARIABLE}. With neither set the path has no address and the QR code no
 * {@code pf}.
 */
@Component(immediate = true, service = NetworkPath.class, configurationPid = PublicAddressPath.PID,
        property = {NetworkPath.PROPERTY_ID + "=public", "service.ranking:Integer=50"})
@Designate(ocd = PublicAddressPath.Config.class)
public final class PublicAddressPath implements NetworkPath {
    static final String PID = "io.contop.host.path.public";
    static final String ENVIRONMENT_VARIABLE = "CONTOP_PUBLIC_ADDRESS";

    @ObjectClassDefinition(name = "Contop Host public address path",
            description = "A public host name or port-forward address put in the QR code as pf.")
    public @interface Config {
        @AttributeDefinition(name = "Public address", required = false,
                description = "Host name or IP address, optionally with :port (IPv6 in brackets); "
                        + "empty uses the CONTOP_PUBLIC_ADDRESS environment variable.")
        String address() default "";
    }

    /** A DNS name or IPv4 address, or a bracketed IPv6 address, each with an optional port. */
    private static final Pattern ADDRESS = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+])(?::\\d{1,5})?");
    private static final int MAX_LENGTH = 253 + 6;
    private static final Logger LOG = LoggerFactory.getLogger(PublicAddressPath.class);

    private final Optional<String> address;

    @Activate
    public PublicAddressPath(Config config) {
        this(config, System.getenv(ENVIRONMENT_VARIABLE));
    }

    PublicAddressPath(Config config, String environmentValue) {
        String configured = config.address() == null ? "" : config.address().strip();
        String fromEnvironment = environmentValue == null ? "" : environmentValue.strip();
        String chosen = !configured.isEmpty() ? configured : fromEnvironment;
        String source = !configured.isEmpty() ? "address in " + PID : ENVIRONMENT_VARIABLE;
        if (chosen.isEmpty()) {
            LOG.info("Public address path has no address: set address in {} or {}", PID, ENVIRONMENT_VARIABLE);
            this.address = Optional.empty();
            return;
        }
        if (!isValid(chosen)) {
            throw new IllegalArgumentException(source + " must be a host name or IP address with an optional "
                    + ":port, was \"" + chosen + "\"");
        }
        LOG.info("Public address {} (from {}) is put in QR codes as pf", chosen, source);
        this.address = Optional.of(chosen);
    }

    static boolean isValid(String address) {
        if (address.length() > MAX_LENGTH || !ADDRESS.matcher(address).matches()) {
            return false;
        }
        int colon = address.lastIndexOf(':');
        if (colon <= address.lastIndexOf(']')) {
            return true;
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        return port >= 1 && port <= 65535;
    }

    @Override
    public String id() {
        return "public";
    }

    @Override
    public String qrKey() {
        return "pf";
    }

    @Override
    public Optional<String> currentAddress() {
        return address;
    }
}
