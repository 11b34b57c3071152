package io.contop.host.tokens.internal;

import static io.contop.host.tokens.internal.StoreSupport.START;
import static io.contop.host.tokens.internal.StoreSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceEvent;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingToken;
import io.contop.host.api.TokenEndReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token lifecycle: lifetimes, expiry, renewal, replacement, selection, revocation and events. */
class PairingTokenStoreTest {
    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @TempDir
    Path directory;

    private final StoreSupport stores = new StoreSupport();
    private final TestClock clock = new TestClock(START);

    @AfterEach
    void closeStores() throws InterruptedException {
        stores.closeAll();
    }

    @Test
    void permanentLivesThirtyDays() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);

        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        assertEquals(START, token.createdAt());
        assertEquals(START.plus(Duration.ofDays(30)), token.expiresAt());
    }

    @Test
    void tempLivesFourHours() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);

        PairingToken token = await(store.pair("guest", ConnectionType.TEMP));

        assertEquals(START, token.createdAt());
        assertEquals(START.plus(Duration.ofHours(4)), token.expiresAt());
    }

    @Test
    void tempNeverWrittenToFile() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken permanent = await(store.pair("pixel", ConnectionType.PERMANENT));

        PairingToken temp = await(store.pair("guest", ConnectionType.TEMP));
        store.deactivate();

        String json = Files.readString(directory.resolve(TokenFile.FILE_NAME));
        assertTrue(json.contains(permanent.token()));
        assertFalse(json.contains(temp.token()));
    }

    @Test
    void expiryIsInclusive() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("guest", ConnectionType.TEMP));

        clock.set(token.expiresAt().minusNanos(1));
        assertTrue(store.validate(token.token()).isPresent());

        clock.set(token.expiresAt());
        assertTrue(store.validate(token.token()).isEmpty());
    }

    @Test
    void validateRemovesExpiredToken() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        clock.advance(Duration.ofDays(30));

        assertTrue(store.validate(token.token()).isEmpty());
        assertTrue(store.tokens().isEmpty());
        // The sweeper may expire the token at the same time. Waiting for the listener first is safe
        // because the store records the event before it calls listeners.
        assertEquals(new RecordingListener.Ended(token.token(), TokenEndReason.EXPIRED), listener.next(5_000));
        assertEquals(List.of(DeviceEvent.TYPE_EXPIRED), eventTypes(store));
    }

    @Test
    void sweeperExpiresWithoutRequest() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken token = await(store.pair("guest", ConnectionType.TEMP));

        clock.advance(Duration.ofHours(4));
        long started = System.nanoTime();
        RecordingListener.Ended ended = listener.next(5_000);
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;

        assertEquals(new RecordingListener.Ended(token.token(), TokenEndReason.EXPIRED), ended);
        assertTrue(waitedMillis < 2_500, "the sweeper took " + waitedMillis + " ms");
        assertEquals(List.of(DeviceEvent.TYPE_EXPIRED), eventTypes(store));
        assertEquals("guest", store.events(null).get(0).deviceId());
        assertTrue(store.tokens().isEmpty());
    }

    @Test
    void sweptTokenLeavesFile() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        clock.advance(Duration.ofDays(31));
        assertNotNull(listener.next(5_000));
        store.deactivate();

        assertFalse(Files.readString(directory.resolve(TokenFile.FILE_NAME)).contains(token.token()));
    }

    @Test
    void permanentPairingRenews() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken first = await(store.pair("pixel", ConnectionType.PERMANENT));

        clock.advance(Duration.ofDays(10));
        PairingToken second = await(store.pair("pixel", ConnectionType.PERMANENT));

        assertEquals(first.token(), second.token());
        assertEquals(first.expiresAt(), second.expiresAt());
        assertEquals(first.identity().fingerprintSha256(), second.identity().fingerprintSha256());
        assertTrue(store.events(null).isEmpty());
    }

    @Test
    void expiredPermanentNotRenewed() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken first = await(store.pair("pixel", ConnectionType.PERMANENT));

        clock.advance(Duration.ofDays(30));
        PairingToken second = await(store.pair("pixel", ConnectionType.PERMANENT));

        assertNotEquals(first.token(), second.token());
        assertEquals(clock.instant().plus(Duration.ofDays(30)), second.expiresAt());
    }

    @Test
    void tempPairingAlwaysNew() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);

        PairingToken first = await(store.pair(null, ConnectionType.TEMP));
        PairingToken second = await(store.pair(null, ConnectionType.TEMP));

        assertNotEquals(first.token(), second.token());
        assertNotEquals(first.identity().fingerprintSha256(), second.identity().fingerprintSha256());
    }

    @Test
    void tempPairingReplacesDeviceToken() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken old = await(store.pair("pixel", ConnectionType.PERMANENT));

        PairingToken replacement = await(store.pair("pixel", ConnectionType.TEMP));

        assertTrue(store.validate(old.token()).isEmpty());
        assertTrue(store.validate(replacement.token()).isPresent());
        assertEquals(List.of(replacement.token()), tokenStrings(store.tokens()));
        assertEquals(new RecordingListener.Ended(old.token(), TokenEndReason.REPLACED), listener.next(5_000));
        DeviceEvent event = store.events(null).get(0);
        assertEquals(DeviceEvent.TYPE_TOKEN_REPLACED, event.type());
        assertEquals("pixel", event.deviceId());
        assertEquals(1, store.events(null).size());
    }

    @Test
    void permanentPairingReplacesTemp() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken old = await(store.pair("pixel", ConnectionType.TEMP));

        PairingToken replacement = await(store.pair("pixel", ConnectionType.PERMANENT));

        assertNotEquals(old.token(), replacement.token());
        assertEquals(List.of(replacement.token()), tokenStrings(store.tokens()));
        assertEquals(new RecordingListener.Ended(old.token(), TokenEndReason.REPLACED), listener.next(5_000));
        assertEquals(List.of(DeviceEvent.TYPE_TOKEN_REPLACED), eventTypes(store));
    }

    @Test
    void otherDevicesUnaffected() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken pixel = await(store.pair("pixel", ConnectionType.TEMP));

        PairingToken ipad = await(store.pair("ipad", ConnectionType.TEMP));

        assertTrue(store.validate(pixel.token()).isPresent());
        assertTrue(store.validate(ipad.token()).isPresent());
        assertTrue(store.events(null).isEmpty());
    }

    @Test
    void selectionPrefersPermanent() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair("a", ConnectionType.TEMP));
        clock.advance(Duration.ofSeconds(1));
        PairingToken permanent = await(store.pair("b", ConnectionType.PERMANENT));
        clock.advance(Duration.ofSeconds(1));
        PairingToken newestTemp = await(store.pair("c", ConnectionType.TEMP));

        assertEquals(permanent.token(), store.select(null).orElseThrow().token());

        store.revoke(null);

        assertEquals(newestTemp.token(), store.select(null).orElseThrow().token());
    }

    @Test
    void nullDevicePermanentRenewsSelection() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken permanent = await(store.pair("pixel", ConnectionType.PERMANENT));

        PairingToken renewed = await(store.pair(null, ConnectionType.PERMANENT));

        assertEquals(permanent.token(), renewed.token());
    }

    @Test
    void selectionByDeviceIgnoresOthers() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair("pixel", ConnectionType.PERMANENT));

        assertTrue(store.select("ipad").isEmpty());
        assertEquals("pixel", store.select("pixel").orElseThrow().deviceId());
    }

    @Test
    void revokeRecordsEventAndNotifies() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        Optional<PairingToken> revoked = store.revoke("pixel");

        assertEquals(token.token(), revoked.orElseThrow().token());
        assertTrue(store.validate(token.token()).isEmpty());
        assertEquals(new RecordingListener.Ended(token.token(), TokenEndReason.REVOKED), listener.next(5_000));
        DeviceEvent event = store.events(null).get(0);
        assertEquals(DeviceEvent.TYPE_REVOKED, event.type());
        assertEquals("pixel", event.deviceId());
        assertEquals(token.displayName(), event.deviceName());
        store.deactivate();
        assertFalse(Files.readString(directory.resolve(TokenFile.FILE_NAME)).contains(token.token()));
    }

    @Test
    void revokeWithoutTokenChangesNothing() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair("pixel", ConnectionType.PERMANENT));

        assertTrue(store.revoke("ipad").isEmpty());
        assertEquals(1, store.tokens().size());
        assertTrue(store.events(null).isEmpty());
    }

    @Test
    void removedListenerNotCalled() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener removed = new RecordingListener();
        RecordingListener kept = new RecordingListener();
        store.addListener(removed);
        store.addListener(kept);
        store.removeListener(removed);
        await(store.pair("pixel", ConnectionType.TEMP));

        store.revoke("pixel");

        assertNotNull(kept.next(5_000));
        assertTrue(removed.isEmpty());
    }

    @Test
    void failingListenerDoesNotStopOthers() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener((token, reason) -> {
            throw new IllegalStateException("listener failed in this test");
        });
        store.addListener(listener);
        PairingToken token = await(store.pair("pixel", ConnectionType.TEMP));

        store.revoke("pixel");

        assertEquals(new RecordingListener.Ended(token.token(), TokenEndReason.REVOKED), listener.next(5_000));
    }

    @Test
    void failedCertificateCreatesNothing() throws Exception {
        PairingTokenStore store = stores.open(directory, clock, new StoreSupport.FailingIdentityProvider(false), 200);

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> await(store.pair("pixel", ConnectionType.PERMANENT)));

        assertInstanceOf(PairingException.class, failure.getCause());
        assertTrue(store.tokens().isEmpty());
        assertTrue(store.events(null).isEmpty());
        store.deactivate();
        assertFalse(Files.exists(directory.resolve(TokenFile.FILE_NAME)));
    }

    @Test
    void throwingCertificateCreatesNothing() throws Exception {
        PairingTokenStore store = stores.open(directory, clock, new StoreSupport.FailingIdentityProvider(true), 200);

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> await(store.pair("pixel", ConnectionType.TEMP)));

        assertInstanceOf(PairingException.class, failure.getCause());
        assertTrue(store.tokens().isEmpty());
    }

    @Test
    void failedCertificateKeepsOldToken() throws Exception {
        PairingTokenStore healthy = stores.open(directory, clock);
        PairingToken old = await(healthy.pair("pixel", ConnectionType.PERMANENT));
        healthy.deactivate();
        PairingTokenStore store = stores.open(directory, clock, new StoreSupport.FailingIdentityProvider(false), 200);

        assertThrows(ExecutionException.class, () -> await(store.pair("pixel", ConnectionType.TEMP)));

        assertEquals(List.of(old.token()), tokenStrings(store.tokens()));
        assertTrue(store.events(null).isEmpty());
    }

    @Test
    void tokensAreUuidV4() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);

        for (ConnectionType type : ConnectionType.values()) {
            String token = await(store.pair(null, type)).token();

            assertTrue(token.matches(UUID_V4), token.substring(0, 8) + "... is not a lower-case UUID");
            assertEquals(4, UUID.fromString(token).version());
        }
    }

    @Test
    void validateAcceptsOnlyExactToken() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        String token = await(store.pair("pixel", ConnectionType.PERMANENT)).token();
        char last = token.charAt(token.length() - 1);
        String lastChanged = token.substring(0, token.length() - 1) + (last == '0' ? '1' : '0');

        assertTrue(store.validate(token).isPresent());
        assertTrue(store.validate(lastChanged).isEmpty());
        assertTrue(store.validate(token.toUpperCase()).isEmpty());
        assertTrue(store.validate(token.substring(0, 35)).isEmpty());
        assertTrue(store.validate(token + " ").isEmpty());
        assertTrue(store.validate("").isEmpty());
        assertTrue(store.validate(null).isEmpty());
        assertTrue(store.validate("x".repeat(10_000)).isEmpty());
    }

    @Test
    void updateDeviceKeepsDetails() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        store.updateDevice(token.token(), device -> device.withName("Pixel 8").withLocation("Lyon, France"));

        PairingToken updated = store.validate(token.token()).orElseThrow();
        assertEquals("Pixel 8", updated.device().name());
        assertEquals("Lyon, France", updated.device().lastLocation());
    }

    @Test
    void updateDeviceIgnoresExpiredToken() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("guest", ConnectionType.TEMP));
        clock.advance(Duration.ofHours(5));

        Optional<PairingToken> updated = store.updateDevice(token.token(), device -> device.withName("Guest phone"));

        assertTrue(updated.isEmpty());
        assertTrue(store.updateDevice(null, device -> device).isEmpty());
    }

    @Test
    void unnamedDeviceGetsLabel() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.TEMP));
        String expected = "Device-" + token.token().substring(0, 6).toUpperCase();

        assertEquals(expected, token.displayName());
        store.revoke("pixel");
        assertEquals(expected, store.events(null).get(0).deviceName());
    }

    @Test
    void namedDeviceKeepsName() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.TEMP));

        store.updateDevice(token.token(), device -> device.withName("iPhone 15 Pro"));
        store.revoke("pixel");

        assertEquals("iPhone 15 Pro", store.events(null).get(0).deviceName());
    }

    @Test
    void eventRingKeepsLastHundred() throws Exception {
        PairingTokenStore store = stores.open(directory, clock, StoreSupport.IDENTITIES, 100);

        for (int i = 0; i < 150; i++) {
            store.recordEvent(new DeviceEvent(DeviceEvent.TYPE_CONNECTED, "device-" + i, "Phone", START.plusSeconds(i),
                    null));
        }

        List<DeviceEvent> retained = store.events(null);
        assertEquals(100, retained.size());
        assertEquals("device-50", retained.get(0).deviceId());
        assertEquals("device-149", retained.get(99).deviceId());
    }

    @Test
    void eventRingBelowHundredRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> stores.open(directory, clock, StoreSupport.IDENTITIES, 99));
    }

    @Test
    void eventsSinceIsStrict() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        for (int i = 0; i < 3; i++) {
            store.recordEvent(new DeviceEvent(DeviceEvent.TYPE_CONNECTED, "device-" + i, "Phone", START.plusSeconds(i),
                    null));
        }

        assertEquals(List.of("device-2"), deviceIds(store.events(START.plusSeconds(1))));
        assertEquals(List.of("device-1", "device-2"), deviceIds(store.events(START.plusMillis(500))));
        assertEquals(List.of("device-0", "device-1", "device-2"), deviceIds(store.events(null)));
        assertEquals(List.of(), deviceIds(store.events(START.plusSeconds(2))));
    }

    @Test
    void eventTimeTruncatedToMicros() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        Instant withNanos = Instant.parse("2026-04-10T08:00:00.123456789Z");

        store.recordEvent(new DeviceEvent(DeviceEvent.TYPE_CONNECTED, "pixel", "Pixel 8", withNanos, null));

        Instant asSent = Instant.parse("2026-04-10T08:00:00.123456Z");
        assertEquals(asSent, store.events(null).get(0).timestamp());
        assertTrue(store.events(asSent).isEmpty());
    }

    @Test
    void pairingTimeTruncatedToMicros() throws Exception {
        clock.set(Instant.parse("2026-04-10T08:00:00.123456789Z"));
        PairingTokenStore store = stores.open(directory, clock);

        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        assertEquals(Instant.parse("2026-04-10T08:00:00.123456Z"), token.createdAt());
    }

    @Test
    void noListenerCallWithoutChange() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);

        await(store.pair("pixel", ConnectionType.PERMANENT));
        await(store.pair("pixel", ConnectionType.PERMANENT));

        assertNull(listener.next(1_500));
    }

    @Test
    void logsShowOnlyTokenPrefix() throws Exception {
        List<String> issued;
        List<String> lines;
        try (LogCapture logs = new LogCapture()) {
            issued = runEveryLoggedPath();
            lines = logs.lines();
        }

        assertFalse(lines.isEmpty());
        for (String token : issued) {
            String tooLong = token.substring(0, PairingToken.LOGGABLE_PREFIX_LENGTH + 1);
            for (String line : lines) {
                assertFalse(line.contains(tooLong), "a log line shows more than 8 characters of a token: " + line);
            }
        }
    }

    /**
     * Pairs, renews, replaces, updates, revokes, expires, fails and loads the legacy fixture, and
     * returns every token involved.
     */
    private List<String> runEveryLoggedPath() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        store.addListener((token, reason) -> {
            throw new IllegalStateException("listener failed in this test");
        });
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);

        PairingToken permanent = await(store.pair("pixel", ConnectionType.PERMANENT));
        await(store.pair("pixel", ConnectionType.PERMANENT));
        PairingToken temp = await(store.pair("pixel", ConnectionType.TEMP));
        store.updateDevice(temp.token(), device -> device.withName("Pixel 8"));
        store.revoke("pixel");
        PairingToken expiring = await(store.pair(null, ConnectionType.PERMANENT));
        clock.advance(Duration.ofDays(30));
        store.validate(expiring.token());
        for (int i = 0; i < 3; i++) {
            assertNotNull(listener.next(5_000));
        }
        store.deactivate();

        PairingTokenStore failing = stores.open(directory, clock, new StoreSupport.FailingIdentityProvider(false), 200);
        assertThrows(ExecutionException.class, () -> await(failing.pair("ipad", ConnectionType.PERMANENT)));

        Path legacy = Files.createDirectory(directory.resolve("legacy"));
        LegacyFixture.copyTo(legacy);
        stores.open(legacy, clock);

        List<String> involved = new ArrayList<>(List.of(permanent.token(), temp.token(), expiring.token()));
        involved.addAll(LegacyFixture.ALL_TOKENS);
        return involved;
    }

    private static List<String> eventTypes(PairingTokenStore store) {
        return store.events(null).stream().map(DeviceEvent::type).toList();
    }

    private static List<String> deviceIds(List<DeviceEvent> events) {
        return events.stream().map(DeviceEvent::deviceId).toList();
    }

    private static List<String> tokenStrings(List<PairingToken> tokens) {
        return tokens.stream().map(PairingToken::token).toList();
    }
}
