package io.contop.host.tokens.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The group-commit writer runs one write at a time and completes each request with a write that began after it. */
class SaveQueueTest {

    @Test
    void writesNeverOverlap() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        AtomicInteger writes = new AtomicInteger();
        SaveQueue queue = new SaveQueue(() -> () -> {
            maxConcurrent.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(2);
            writes.incrementAndGet();
            running.decrementAndGet();
        });
        List<Thread> requesters = new ArrayList<>();
        List<CompletableFuture<Void>> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread requester = new Thread(() -> {
                for (int j = 0; j < 50; j++) {
                    requests.add(queue.request());
                }
            });
            requesters.add(requester);
            requester.start();
        }
        for (Thread requester : requesters) {
            requester.join();
        }

        CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        queue.close();

        assertEquals(1, maxConcurrent.get());
        assertTrue(writes.get() < 400, writes.get() + " writes for 400 requests");
    }

    @Test
    void requestWaitsForLaterWrite() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch releaseFirstWrite = new CountDownLatch(1);
        AtomicInteger snapshots = new AtomicInteger();
        SaveQueue queue = new SaveQueue(() -> {
            int snapshot = snapshots.incrementAndGet();
            return () -> {
                if (snapshot == 1) {
                    firstWriteStarted.countDown();
                    releaseFirstWrite.await();
                }
            };
        });

        CompletableFuture<Void> first = queue.request();
        assertTrue(firstWriteStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> second = queue.request();
        releaseFirstWrite.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        queue.close();

        assertFalse(first == second);
        assertEquals(2, snapshots.get());
    }

    @Test
    void failedWriteFailsRequest() throws Exception {
        SaveQueue queue = new SaveQueue(() -> () -> {
            throw new IOException("disk full in this test");
        });

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> queue.request().get(10, TimeUnit.SECONDS));
        queue.close();

        assertTrue(failure.getCause() instanceof IOException);
    }

    @Test
    void closedQueueFailsRequest() throws Exception {
        SaveQueue queue = new SaveQueue(() -> () -> {
        });
        queue.close();

        assertThrows(ExecutionException.class, () -> queue.request().get(10, TimeUnit.SECONDS));
    }
}
