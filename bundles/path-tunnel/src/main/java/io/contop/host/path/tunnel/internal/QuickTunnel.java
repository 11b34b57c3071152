package io.contop.host.path.tunnel.internal;

import io.contop.host.api.TunnelUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Cloudflare quick tunnel run by cloudflared, started on request and forwarding to the
 * transport's tunnel listener on 127.0.0.1.
 *
 * <p>At most one cloudflared runs at a time, and concurrent {@link #start()} calls share it. A
 * start fails at once when cloudflared exits before printing the URL, and after
 * {@link Settings#startTimeout()} when it prints nothing. After a failure, starts are rejected
 * until a back-off delay has passed (starting at {@link Settings#restartDelay()} and doubling up
 * to {@link Settings#maxRestartDelay()}), so that repeated requests do not worsen a rate limit. A
 * tunnel that was up and whose process exits is restarted automatically after the same back-off;
 * the new tunnel has a new URL. Thread-safe.
 */
final class QuickTunnel implements AutoCloseable {

    /**
     * Settings of the tunnel.
     *
     * @param enabled whether starts are allowed at all
     * @param binary the cloudflared program, a path or a name looked up on PATH
     * @param startTimeout how long to wait for the URL before the start fails
     * @param restartDelay the first back-off delay after a failure or a dropped tunnel
     * @param maxRestartDelay the longest back-off delay
     */
    record Settings(boolean enabled, String binary, Duration startTimeout, Duration restartDelay,
            Duration maxRestartDelay) {
    }

    /** How long cloudflared gets after SIGTERM before it is killed. */
    static final Duration STOP_GRACE = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(QuickTunnel.class);

    private final Settings settings;
    private final IntSupplier originPort;
    private final Map<String, String> inheritedEnvironment;
    private final String configurationHint;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();

    // Everything below is guarded by lock.
    private IsolatedEnvironment isolation;
    private CloudflaredProcess process;
    private String url;
    private CompletableFuture<String> pending;
    private ScheduledFuture<?> deadline;
    private ScheduledFuture<?> restart;
    private String lastFailure;
    private long retryAllowedAtNanos;
    private Duration backoff;
    private boolean restartOnDrop;
    private boolean closed;

    /**
     * @param originPort supplies the port of the local listener the tunnel forwards to
     * @param inheritedEnvironment the daemon's environment, of which only a few variables are passed on
     * @param configurationHint where the settings live, named in error messages (a configuration PID)
     */
    QuickTunnel(Settings settings, IntSupplier originPort, Map<String, String> inheritedEnvironment,
            String configurationHint) {
        this.settings = settings;
        this.originPort = originPort;
        this.inheritedEnvironment = Map.copyOf(inheritedEnvironment);
        this.configurationHint = configurationHint;
        this.backoff = settings.restartDelay();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "contop-path-tunnel");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts the tunnel unless it is up or starting.
     *
     * @return a future completed with {@code https://<host>}, or exceptionally with
     *     {@link TunnelUnavailableException}, either directly or as the cause of a
     *     {@link java.util.concurrent.CompletionException}
     */
    CompletableFuture<String> start() {
        synchronized (lock) {
            if (closed) {
                return failed("The tunnel is stopping");
            }
            if (!settings.enabled()) {
                return failed("The Cloudflare tunnel is disabled (enabled=false in " + configurationHint + ")");
            }
            if (url != null) {
                return CompletableFuture.completedFuture(url);
            }
            if (pending != null) {
                return pending.copy();
            }
            long waitNanos = retryAllowedAtNanos - System.nanoTime();
            if (lastFailure != null && waitNanos > 0) {
                long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + 999_999_999L));
                return failed(lastFailure + " (next attempt allowed in " + seconds + " s)");
            }
            return launch().copy();
        }
    }

    /**
     * Removes, on the tunnel's own thread, what a daemon killed before it could stop its tunnel
     * left behind: cloudflared processes and private directories.
     */
    void removeLeftoversInBackground() {
        scheduler.execute(() -> {
            LeftoverTunnels.stopProcesses();
            LeftoverTunnels.deleteDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        });
    }

    /** Returns {@code https://<host>} while the tunnel is up. */
    Optional<String> url() {
        synchronized (lock) {
            return Optional.ofNullable(url);
        }
    }

    /** Returns the process id of the running cloudflared, if any, for tests and diagnostics. */
    Optional<Long> pid() {
        synchronized (lock) {
            return process == null ? Optional.empty() : Optional.of(process.pid());
        }
    }

    /** Stops cloudflared (and anything it started), fails a pending start and deletes the private directory. */
    @Override
    public void close() {
        CloudflaredProcess running;
        CompletableFuture<String> waiting;
        IsolatedEnvironment directory;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancel(restart);
            cancel(deadline);
            running = process;
            waiting = pending;
            directory = isolation;
            process = null;
            pending = null;
            url = null;
        }
        if (running != null) {
            running.stop(STOP_GRACE);
            LOG.info("Stopped cloudflared (pid {})", running.pid());
        }
        if (waiting != null) {
            waiting.completeExceptionally(new TunnelUnavailableException("The tunnel is stopping"));
        }
        scheduler.shutdownNow();
        if (directory != null) {
            directory.delete();
        }
    }

    /** Starts cloudflared. The caller holds the lock and has checked that none runs. */
    private CompletableFuture<String> launch() {
        int port = originPort.getAsInt();
        if (port <= 0) {
            recordFailure("The tunnel listener is not running");
            return failed("The tunnel listener is not running");
        }
        CloudflaredProcess started;
        try {
            if (isolation == null) {
                isolation = IsolatedEnvironment.create();
            }
            List<String> command = List.of(settings.binary(), "tunnel", "--config", isolation.configFile().toString(),
                    "--url", "http://127.0.0.1:" + port, "--no-autoupdate");
            started = CloudflaredProcess.launch(command, isolation.environment(inheritedEnvironment), isolation.home());
        } catch (IOException e) {
            String reason = "Cannot run cloudflared (binary \"" + settings.binary() + "\"): " + e.getMessage()
                    + "; install cloudflared or set binary in " + configurationHint;
            LOG.warn(reason);
            recordFailure(reason);
            return failed(reason);
        }

        LOG.info("Starting a Cloudflare quick tunnel to 127.0.0.1:{} (cloudflared pid {})", port, started.pid());
        CompletableFuture<String> result = new CompletableFuture<>();
        process = started;
        pending = result;
        deadline = scheduler.schedule(() -> onDeadline(started), settings.startTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        started.url().thenAccept(found -> onUrl(started, found));
        started.exited().thenAccept(status -> onExit(started, status));
        return result;
    }

    private void onUrl(CloudflaredProcess started, String found) {
        CompletableFuture<String> waiting;
        synchronized (lock) {
            if (process != started || closed) {
                return;
            }
            url = found;
            waiting = pending;
            pending = null;
            cancel(deadline);
            lastFailure = null;
            backoff = settings.restartDelay();
            restartOnDrop = true;
        }
        LOG.info("Cloudflare quick tunnel is up at {} (cloudflared pid {})", found, started.pid());
        if (waiting != null) {
            waiting.complete(found);
        }
    }

    private void onDeadline(CloudflaredProcess started) {
        String reason = "cloudflared printed no tunnel URL within " + settings.startTimeout().toSeconds() + " s"
                + started.failureReason().map(line -> "; last output: " + line).orElse("");
        CompletableFuture<String> waiting;
        synchronized (lock) {
            if (process != started || url != null || closed) {
                return;
            }
            process = null;
            waiting = pending;
            pending = null;
            recordFailure(reason);
        }
        LOG.warn("Starting the Cloudflare tunnel failed: {}", reason);
        started.stop(STOP_GRACE);
        complete(waiting, reason);
    }

    private void onExit(CloudflaredProcess started, int status) {
        String detail = started.failureReason().orElse("no output");
        CompletableFuture<String> waiting;
        boolean wasUp;
        synchronized (lock) {
            if (process != started || closed) {
                return;
            }
            process = null;
            wasUp = url != null;
            url = null;
            waiting = pending;
            pending = null;
            cancel(deadline);
            if (wasUp) {
                recordFailure("The tunnel went down (cloudflared exited with status " + status + ": " + detail
                        + ") and restarts automatically");
            } else {
                recordFailure("cloudflared exited with status " + status + " before the tunnel was up: " + detail);
            }
        }
        if (wasUp) {
            LOG.warn("The Cloudflare tunnel went down: cloudflared exited with status {}: {}", status, detail);
            scheduleRestart();
        } else {
            String reason = "cloudflared exited with status " + status + " before the tunnel was up: " + detail;
            LOG.warn("Starting the Cloudflare tunnel failed: {}", reason);
            complete(waiting, reason);
        }
    }

    /** Records a failure and lengthens the back-off. The caller holds the lock. */
    private void recordFailure(String reason) {
        lastFailure = reason;
        retryAllowedAtNanos = System.nanoTime() + backoff.toNanos();
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(settings.maxRestartDelay()) > 0 ? settings.maxRestartDelay() : doubled;
    }

    /** Schedules a restart of a tunnel that was up, once the back-off delay has passed. */
    private void scheduleRestart() {
        synchronized (lock) {
            if (closed || !restartOnDrop) {
                return;
            }
            long delayNanos = Math.max(0, retryAllowedAtNanos - System.nanoTime());
            LOG.info("Restarting the Cloudflare tunnel in {} ms", TimeUnit.NANOSECONDS.toMillis(delayNanos));
            restart = scheduler.schedule(this::restart, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void restart() {
        CompletableFuture<String> attempt;
        synchronized (lock) {
            restart = null;
            if (closed || process != null || url != null) {
                return;
            }
            attempt = launch();
        }
        attempt.whenComplete((found, error) -> {
            if (error != null) {
                scheduleRestart();
            }
        });
    }

    private static void complete(CompletableFuture<String> waiting, String reason) {
        if (waiting != null) {
            waiting.completeExceptionally(new TunnelUnavailableException(reason));
        }
    }

    private static CompletableFuture<String> failed(String reason) {
        return CompletableFuture.failedFuture(new TunnelUnavailableException(reason));
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
