package io.contop.host.tokens.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serializes saves on one writer thread and coalesces requests that arrive while a save runs, so
 * a burst of pairings costs one write per burst rather than one per pairing. Each request is
 * completed only after a write that includes its change has reached the disk.
 */
final class SaveQueue {
    /** One write of a snapshot. */
    @FunctionalInterface
    interface Writer {
        void write() throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SaveQueue.class);

    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread writer = new Thread(runnable, "contop-token-save");
        writer.setDaemon(false);
        return writer;
    });
    private final Supplier<Writer> snapshot;
    private CompletableFuture<Void> pending;

    /** @param snapshot called on the writer thread; takes the state to write under the caller's lock */
    SaveQueue(Supplier<Writer> snapshot) {
        this.snapshot = snapshot;
    }

    /** Requests a save of the current state; the stage completes when it is on disk. */
    synchronized CompletableFuture<Void> request() {
        if (pending == null) {
            pending = new CompletableFuture<>();
            CompletableFuture<Void> batch = pending;
            try {
                thread.execute(() -> run(batch));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending = null;
                batch.completeExceptionally(new IllegalStateException("the token store is stopping"));
            }
            return batch;
        }
        return pending;
    }

    private void run(CompletableFuture<Void> batch) {
        synchronized (this) {
            pending = null;
        }
        try {
            snapshot.get().write();
            batch.complete(null);
        } catch (Exception e) {
            LOG.error("Saving the pairing tokens failed: {}", e.toString());
            batch.completeExceptionally(e);
        }
    }

    /** Finishes the queued saves, then stops the writer thread. */
    void close() throws InterruptedException {
        thread.shutdown();
        if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("Token saves did not finish within 10 s of shutdown");
        }
    }
}
