package io.contop.host.console.internal;

import io.contop.host.api.ConsoleResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's files, read once from this bundle's {@code console/} folder. Only the files listed
 * in {@link #FILES} are served, so no request path can reach anything else in the bundle.
 */
@Component(immediate = true, service = ConsoleResources.class, configurationPid = BundledConsoleResources.PID)
@Designate(ocd = BundledConsoleResources.Config.class)
public final class BundledConsoleResources implements ConsoleResources {
    static final String PID = "io.contop.host.console";

    @ObjectClassDefinition(name = "Contop Host console",
            description = "The browser console at http://127.0.0.1:<port>/console/, for clients on this machine only.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled",
                description = "Serve the console; false makes every path under /console/ return 404.")
        boolean enabled() default true;
    }

    /** Served file name to media type. The empty name is the index page. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private static final Logger LOG = LoggerFactory.getLogger(BundledConsoleResources.class);

    private final boolean enabled;
    private final Map<String, Resource> resources;

    @Activate
    public BundledConsoleResources(Config config) {
        this.enabled = config.enabled();
        this.resources = enabled ? load() : Map.of();
        LOG.info(enabled ? "Console enabled at /console/ for clients on this machine"
                : "Console disabled by configuration ({})", PID);
    }

    private static Map<String, Resource> load() {
        Map<String, Resource> loaded = new java.util.HashMap<>();
        for (Map.Entry<String, String> file : FILES.entrySet()) {
            try (InputStream in = BundledConsoleResources.class.getResourceAsStream("/console/" + file.getKey())) {
                if (in == null) {
                    throw new IllegalStateException("The console bundle lacks console/" + file.getKey());
                }
                loaded.put(file.getKey(), new Resource(file.getValue(), in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException("Reading console/" + file.getKey() + " failed", e);
            }
        }
        return Map.copyOf(loaded);
    }

    @Override
    public Optional<Resource> resource(String path) {
        if (!enabled) {
            return Optional.empty();
        }
        return Optional.ofNullable(resources.get(path.isEmpty() ? "index.html" : path));
    }
}
