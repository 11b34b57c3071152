package io.contop.host.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import sun.misc.Signal;

/**
 * Runs Felix with every bundle of the distribution's {@code bundle/} directory. FileInstall
 * watches {@code config/} for Config Admin files and {@code deploy/} for drop-in bundles. SIGTERM
 * and SIGINT stop the framework and exit with status 0.
 */
final class Daemon {
    private static final long STOP_TIMEOUT_MILLIS = 20_000;
    /** Bundles started before all others, in this order. */
    private static final List<String> FIRST_BUNDLES =
            List.of("org.apache.felix.configadmin", "org.apache.felix.fileinstall");

    /** Held here so that its level setting is not lost to garbage collection. */
    private static final java.util.logging.Logger SPI_FLY_LOGGER =
            java.util.logging.Logger.getLogger("org.apache.aries.spifly");

    private final Path home;
    private final Path dataDirectory;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Framework framework;

    Daemon(Path home, Path dataDirectory) {
        this.home = home;
        this.dataDirectory = dataDirectory;
    }

    int run() throws Exception {
        long startNanos = System.nanoTime();
        // SPI Fly logs each service provider it registers through java.util.logging at INFO.
        SPI_FLY_LOGGER.setLevel(java.util.logging.Level.WARNING);
        createPrivateDirectory(dataDirectory.resolve("logs"));
        Path cache = Files.createTempDirectory("contop-felix-");
        framework = new Felix(frameworkProperties(cache));
        framework.init();
        installSignalHandlers();

        List<Bundle> bundles = installBundles(framework);
        framework.start();
        for (Bundle bundle : inStartOrder(bundles)) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                try {
                    bundle.start();
                } catch (BundleException e) {
                    System.err.println("contop-host: bundle " + bundle.getSymbolicName() + " did not start: "
                            + e.getMessage());
                }
            }
        }
        System.err.printf("contop-host: started %d bundles in %d ms (home %s, data %s)%n", bundles.size(),
                (System.nanoTime() - startNanos) / 1_000_000, home, dataDirectory);

        FrameworkEvent event = framework.waitForStop(0);
        deleteRecursively(cache);
        stopped.countDown();
        return event.getType() == FrameworkEvent.ERROR ? 1 : 0;
    }

    private Map<String, String> frameworkProperties(Path cache) {
        Map<String, String> properties = new HashMap<>();
        properties.put(Constants.FRAMEWORK_STORAGE, cache.toString());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        properties.put("contop.home", home.toString());
        properties.put("contop.data.dir", dataDirectory.toString());
        properties.put("felix.fileinstall.dir", home.resolve("config").toString());
        properties.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        properties.put("felix.fileinstall.poll", "1000");
        properties.put("felix.fileinstall.noInitialDelay", "true");
        properties.put("felix.fileinstall.log.level", "2");
        properties.put("felix.fileinstall.enableConfigSave", "false");
        properties.put("ds.loglevel", "warn");
        properties.put("org.apache.aries.spifly.loglevel", "warning");
        // The Gogo shell reads the terminal. Without one it reads nothing, unless CONTOP_SHELL=stdin makes
        // it read commands from standard input (tests drive the daemon that way). It never stops the daemon.
        if (System.console() == null && !"stdin".equals(System.getenv("CONTOP_SHELL"))) {
            properties.put("gosh.args", "--nointeractive --noshutdown");
        } else {
            properties.put("gosh.args", "--noshutdown");
        }
        return properties;
    }

    private List<Bundle> installBundles(Framework target) throws IOException, BundleException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(home.resolve("bundle"), "*.jar")) {
            entries.forEach(jars::add);
        }
        jars.sort(Comparator.comparing(Path::toString));
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            installed.add(target.getBundleContext().installBundle("reference:" + jar.toUri()));
        }
        return installed;
    }

    /**
     * Returns the bundles with Config Admin and FileInstall first. FileInstall applies the files in
     * {@code config/} while it starts (felix.fileinstall.noInitialDelay), so every component
     * activates once with its configuration instead of once without and again with it, which would
     * close and reopen the listener while clients already connect.
     */
    static List<Bundle> inStartOrder(List<Bundle> bundles) {
        List<Bundle> ordered = new ArrayList<>(bundles);
        ordered.sort(Comparator.comparingInt(bundle -> {
            int index = FIRST_BUNDLES.indexOf(bundle.getSymbolicName());
            return index < 0 ? FIRST_BUNDLES.size() : index;
        }));
        return ordered;
    }

    /**
     * Creates {@code directory} readable by the owner only (0700), or takes group and other access
     * away from an existing one: the logs name devices and addresses.
     */
    static void createPrivateDirectory(Path directory) throws IOException {
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(ownerOnly));
            // The umask may have removed owner bits, never added group or other bits; set them exactly.
            Files.setPosixFilePermissions(directory, ownerOnly);
            return;
        }
        if (!Files.getPosixFilePermissions(directory).equals(ownerOnly)) {
            Files.setPosixFilePermissions(directory, ownerOnly);
            System.err.println("contop-host: made " + directory + " readable by its owner only (0700)");
        }
    }

    private void installSignalHandlers() {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> {
                stop("SIG" + name);
                System.exit(0);
            });
        }
    }

    /** Stops the framework once, waiting for bundles to shut down cleanly. */
    private void stop(String reason) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        System.err.println("contop-host: stopping (" + reason + ")");
        try {
            framework.stop();
            framework.waitForStop(STOP_TIMEOUT_MILLIS);
            stopped.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (BundleException | InterruptedException e) {
            System.err.println("contop-host: clean stop failed: " + e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("contop-host: could not delete " + root + ": " + e.getMessage());
        }
    }
}
