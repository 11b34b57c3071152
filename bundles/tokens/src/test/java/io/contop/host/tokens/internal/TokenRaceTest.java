package io.contop.host.tokens.internal;

import static io.contop.host.tokens.internal.StoreSupport.START;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.PairingToken;
import io.contop.host.dtls.internal.PooledIdentityProvider;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent pairings, revocations and saves on real threads. */
class TokenRaceTest {
    private static final String DEVICE = "pixel";
    /** Pairings in the race that may need a certificate: 40 temporary and 20 permanent. */
    private static final int POOL_SIZE = 60;

    @TempDir
    Path directory;

    private final StoreSupport stores = new StoreSupport();
    private final TestClock clock = new TestClock(START);
    private final ExecutorService callers = Executors.newFixedThreadPool(16);

    @AfterEach
    void stop() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
        stores.closeAll();
    }

    @Test
    void pairAndRevokeRaceLeavesOneToken() throws Exception {
        // With every certificate ready in the pool, pairings reach the store on the calling threads at
        // once instead of one by one on the provider's key generation thread.
        PooledIdentityProvider identities = new PooledIdentityProvider(StoreSupport.dtlsConfig(POOL_SIZE));
        awaitFullPool(identities);
        PairingTokenStore store = stores.open(directory, clock, identities, 200);
        AtomicBoolean racing = new AtomicBoolean(true);
        AtomicInteger maxSeen = new AtomicInteger();
        Thread sampler = new Thread(() -> {
            while (racing.get()) {
                maxSeen.accumulateAndGet(deviceTokens(store).size(), Math::max);
            }
        });
        sampler.start();

        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int call = i;
            calls.add(callers.submit(() -> {
                start.await();
                switch (call % 5) {
                    case 0, 1 -> StoreSupport.await(store.pair(DEVICE, ConnectionType.TEMP));
                    case 2 -> StoreSupport.await(store.pair(DEVICE, ConnectionType.PERMANENT));
                    default -> store.revoke(DEVICE);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> call : calls) {
            call.get(120, TimeUnit.SECONDS);
        }
        racing.set(false);
        sampler.join();

        List<PairingToken> remaining = deviceTokens(store);
        assertTrue(maxSeen.get() <= 1, maxSeen.get() + " valid tokens for one device at once");
        assertTrue(remaining.size() <= 1, remaining.size() + " valid tokens for one device at the end");
        Set<String> permanentInMemory = remaining.stream()
                .filter(token -> token.connectionType() == ConnectionType.PERMANENT)
                .map(PairingToken::token)
                .collect(Collectors.toSet());
        store.deactivate();
        PairingTokenStore reloaded = stores.open(directory, clock);
        Set<String> inFile = deviceTokens(reloaded).stream().map(PairingToken::token).collect(Collectors.toSet());
        assertEquals(permanentInMemory, inFile);
    }

    @Test
    void concurrentPairingsAllSaved() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<PairingToken>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String device = "device-" + i;
            calls.add(callers.submit(() -> {
                start.await();
                return StoreSupport.await(store.pair(device, ConnectionType.PERMANENT));
            }));
        }
        start.countDown();
        Set<String> paired = new java.util.HashSet<>();
        for (Future<PairingToken> call : calls) {
            paired.add(call.get(120, TimeUnit.SECONDS).token());
        }
        store.deactivate();

        PairingTokenStore reloaded = stores.open(directory, clock);
        Set<String> inFile = reloaded.tokens().stream().map(PairingToken::token).collect(Collectors.toSet());
        assertEquals(20, paired.size());
        assertEquals(paired, inFile);
    }

    /** Waits until the provider's pool contains {@link #POOL_SIZE} certificates, read by reflection from its package. */
    private static void awaitFullPool(PooledIdentityProvider identities) throws Exception {
        Method pooled = PooledIdentityProvider.class.getDeclaredMethod("pooled");
        pooled.setAccessible(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((int) pooled.invoke(identities) < POOL_SIZE) {
            assertTrue(System.nanoTime() < deadline, "the certificate pool did not fill within 60 s");
            Thread.sleep(20);
        }
    }

    private static List<PairingToken> deviceTokens(PairingTokenStore store) {
        return store.tokens().stream().filter(token -> DEVICE.equals(token.deviceId())).toList();
    }
}
