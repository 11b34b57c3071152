package io.contop.host.path.tunnel.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A private, owner-only temporary directory with an empty home directory and a configuration
 * file of our own, so that cloudflared runs a quick tunnel whatever the user has configured.
 *
 * <p>cloudflared refuses a quick tunnel or runs a different tunnel when its configuration names
 * a tunnel, a hostname or proxy-dns, and it reads {@code ~/.cloudflared/config.yml} and several
 * {@code TUNNEL_*} environment variables by default. The process therefore gets
 * {@code --config} pointing at our file, a {@code HOME} with nothing in it, and an environment
 * reduced to {@link #PASSED_VARIABLES}. The daemon's own environment (with provider API keys)
 * never reaches it.
 */
final class IsolatedEnvironment {
    /** Variables copied from the daemon's environment: program lookup, locale, time zone and CA certificates. */
    static final List<String> PASSED_VARIABLES =
            List.of("PATH", "LANG", "LC_ALL", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR");

    /**
     * The configuration cloudflared reads. It must not be empty, because cloudflared logs an ERR
     * line for an empty file. The one setting repeats {@code --no-autoupdate}.
     */
    static final String CONFIG_CONTENT = "# Written by Contop Host for its Cloudflare quick tunnel.\n"
            + "no-autoupdate: true\n";

    private final Path root;
    private final Path home;
    private final Path configFile;

    private IsolatedEnvironment(Path root) {
        this.root = root;
        this.home = root.resolve("home");
        this.configFile = root.resolve("config.yml");
    }

    /**
     * Creates the directory, the empty home directory and the configuration file. The directory's
     * name contains the daemon's process id, which {@link LeftoverTunnels} relies on.
     */
    static IsolatedEnvironment create() throws IOException {
        Path root = Files.createTempDirectory(LeftoverTunnels.directoryPrefix(ProcessHandle.current().pid()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        IsolatedEnvironment created = new IsolatedEnvironment(root);
        Files.createDirectory(created.home);
        Files.writeString(created.configFile, CONFIG_CONTENT);
        return created;
    }

    Path home() {
        return home;
    }

    Path configFile() {
        return configFile;
    }

    /** Returns the environment for cloudflared: {@link #PASSED_VARIABLES} from {@code inherited}, plus the private home. */
    Map<String, String> environment(Map<String, String> inherited) {
        Map<String, String> environment = new HashMap<>();
        for (String name : PASSED_VARIABLES) {
            String value = inherited.get(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.put("HOME", home.toString());
        environment.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        return environment;
    }

    /** Deletes the directory and everything in it. Failures are ignored, since it is in the temporary directory. */
    void delete() {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // Leftovers in the temporary directory are harmless.
        }
    }
}
