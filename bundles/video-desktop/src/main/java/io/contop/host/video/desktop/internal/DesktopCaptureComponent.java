package io.contop.host.video.desktop.internal;

import io.contop.host.api.video.VideoSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the desktop screen of the X11 display named by {@code DISPLAY} as a
 * {@link VideoSource}, ranked above the test pattern, while that display's X server accepts a
 * connection from the daemon. A probe checks this at activation and then every
 * {@code probe.seconds}, in the background, so activation never waits for the X server.
 *
 * <p>Limitation: only local displays ({@code :N}, reached through {@code /tmp/.X11-unix/XN})
 * are captured, and Wayland sessions are not captured at all; the daemon then sends the test
 * pattern.
 */
@Component(immediate = true, service = {}, configurationPid = DesktopCaptureComponent.PID)
@Designate(ocd = DesktopCaptureComponent.Config.class)
public final class DesktopCaptureComponent {
    static final String PID = "io.contop.host.video.desktop";

    @ObjectClassDefinition(name = "Contop Host desktop capture",
            description = "Sends the screen of the X11 display in DISPLAY as the phones' video.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled",
                description = "false never captures the screen: phones get the test pattern.")
        boolean enabled() default true;

        @AttributeDefinition(name = "Frame rate", min = "1", max = "60",
                description = "Maximum frames per second captured from the screen.")
        int frame_rate() default 15;

        @AttributeDefinition(name = "Maximum width", min = "16", max = "7680",
                description = "Wider screens are scaled down to this width in pixels.")
        int max_width() default 1920;

        @AttributeDefinition(name = "Maximum height", min = "16", max = "4320",
                description = "Taller screens are scaled down to this height in pixels.")
        int max_height() default 1080;

        @AttributeDefinition(name = "Probe interval (seconds)", min = "1", max = "3600",
                description = "Time between checks that the display is reachable.")
        int probe_seconds() default 30;
    }

    private static final Logger LOG = LoggerFactory.getLogger(DesktopCaptureComponent.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final BundleContext context;
    private final Config config;
    private final Map<String, String> environment;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "contop-desktop-probe");
        thread.setDaemon(true);
        return thread;
    });
    private X11DisplayName display;
    private DesktopVideoSource source;
    private ServiceRegistration<VideoSource> registration;
    private String lastReport;

    @Activate
    public DesktopCaptureComponent(BundleContext context, Config config) {
        this(context, config, System.getenv());
    }

    DesktopCaptureComponent(BundleContext context, Config config, Map<String, String> environment) {
        validate(config);
        this.context = context;
        this.config = config;
        this.environment = environment;
        Optional<String> unsupported = unsupportedEnvironment();
        if (unsupported.isPresent()) {
            LOG.info("Desktop capture unavailable: {}; phones get the test pattern", unsupported.get());
            return;
        }
        prober.scheduleWithFixedDelay(this::probeSafely, 0, config.probe_seconds(), TimeUnit.SECONDS);
    }

    private static void validate(Config config) {
        requireRange("frame.rate", config.frame_rate(), 1, 60);
        requireRange("max.width", config.max_width(), 16, 7680);
        requireRange("max.height", config.max_height(), 16, 4320);
        requireRange("probe.seconds", config.probe_seconds(), 1, 3600);
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** Returns why this environment can never be captured, or empty when probing makes sense. */
    private Optional<String> unsupportedEnvironment() {
        if (!config.enabled()) {
            return Optional.of("disabled in the configuration (" + PID + ", enabled=false)");
        }
        String value = environment.get("DISPLAY");
        if (value == null || value.isBlank()) {
            return Optional.of("DISPLAY is not set");
        }
        Optional<X11DisplayName> parsed = X11DisplayName.parse(value);
        if (parsed.isEmpty()) {
            return Optional.of("DISPLAY '" + value + "' is not a display name such as :0");
        }
        if (!parsed.get().isLocal()) {
            return Optional.of("DISPLAY " + value + " is not a local display; only :N displays are captured");
        }
        if (isWaylandSession()) {
            // NOTE: webrtc-java 0.14.0 picks a Wayland capturer in such a session even when
            // DISPLAY names an XWayland server, and that capturer needs a user's consent.
            return Optional.of("this is a Wayland session (XDG_SESSION_TYPE=wayland), which is not captured");
        }
        display = parsed.get();
        return Optional.empty();
    }

    private boolean isWaylandSession() {
        String sessionType = environment.get("XDG_SESSION_TYPE");
        String waylandDisplay = environment.get("WAYLAND_DISPLAY");
        return sessionType != null && sessionType.startsWith("wayland") && waylandDisplay != null
                && !waylandDisplay.isBlank();
    }

    @Deactivate
    void deactivate() {
        prober.shutdownNow();
        try {
            if (!prober.awaitTermination(PROBE_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS)) {
                LOG.warn("The display probe did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            unregister();
        }
    }

    /** Runs one scheduled probe. Nothing is thrown, because a scheduled task that throws never runs again. */
    private void probeSafely() {
        try {
            probeOnce();
        } catch (RuntimeException e) {
            LOG.warn("Probing display {} failed: {}", display, e.toString());
        }
    }

    private synchronized void probeOnce() {
        X11Probe.Result result = probe();
        if (result.accepted()) {
            if (source == null) {
                source = new DesktopVideoSource(display, this::probe, result, config.frame_rate(), config.max_width(),
                        config.max_height());
                Dictionary<String, Object> properties = new Hashtable<>();
                properties.put(Constants.SERVICE_RANKING, VideoSource.RANKING_DESKTOP_CAPTURE);
                registration = context.registerService(VideoSource.class, source, properties);
            }
            source.probed(result);
            report("Desktop capture available: display " + display + " (" + result.width() + "x" + result.height()
                    + ", " + result.detail() + ")");
        } else {
            unregister();
            report("Desktop capture unavailable: " + result.detail() + "; phones get the test pattern; checking again every "
                    + config.probe_seconds() + " s");
        }
    }

    /** Logs {@code message} when it differs from the last one, so a steady state is logged once. */
    private void report(String message) {
        if (!message.equals(lastReport)) {
            lastReport = message;
            LOG.info(message);
        }
    }

    private void unregister() {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework unregisters a stopping bundle's services itself.
            }
            registration = null;
            source = null;
        }
    }

    /** Probes the display with the cookie of the daemon's Xauthority file. Never throws. */
    private X11Probe.Result probe() {
        Optional<XAuthority.Cookie> cookie;
        try {
            cookie = XAuthority.find(xauthorityFile(), hostname(), display.display());
        } catch (IOException e) {
            return X11Probe.Result.rejected("the Xauthority file cannot be read: " + e.getMessage());
        }
        return X11Probe.probe(display, cookie, PROBE_TIMEOUT);
    }

    private Path xauthorityFile() {
        String configured = environment.get("XAUTHORITY");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return Path.of(environment.getOrDefault("HOME", System.getProperty("user.home")), ".Xauthority");
    }

    /** Returns this machine's host name as Xlib uses it for local connections: the kernel's node name. */
    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
