package io.contop.host.tokens.internal;

import static io.contop.host.tokens.internal.StoreSupport.START;
import static io.contop.host.tokens.internal.StoreSupport.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceInfo;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.IceServers;
import io.contop.host.api.PairingException;
import io.contop.host.api.PairingToken;
import io.contop.host.api.Timestamps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tokens.json}: format, restart, the legacy format, damaged files, permissions and failed saves. */
class TokenPersistenceTest {
    private static final String FINGERPRINT = "([0-9A-F]{2}:){31}[0-9A-F]{2}";

    @TempDir
    Path directory;

    private final StoreSupport stores = new StoreSupport();
    private final TestClock clock = new TestClock(START);
    private final ObjectMapper mapper = new ObjectMapper();

    @AfterEach
    void closeStores() throws InterruptedException {
        stores.closeAll();
    }

    @Test
    void fileHasContractFields() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));
        Instant seen = START.plusSeconds(90);
        store.updateDevice(token.token(), device -> new DeviceInfo("Pixel 8", "Lyon, France", "192.168.1.23", "lan",
                seen));
        store.deactivate();

        JsonNode root = readFile();
        assertEquals(List.of("tokens"), fieldNames(root));
        assertEquals(1, root.get("tokens").size());
        JsonNode entry = root.get("tokens").get(0);
        assertEquals(token.token(), entry.get("token").asText());
        assertEquals("pixel", entry.get("device_id").asText());
        assertEquals("permanent", entry.get("connection_type").asText());
        assertEquals(token.identity().fingerprintSha256(), entry.get("dtls_fingerprint").asText());
        assertTrue(entry.get("dtls_fingerprint").asText().matches(FINGERPRINT));
        assertEquals("2026-04-10T00:00:00.000000+00:00", entry.get("created_at").asText());
        assertEquals("2026-05-10T00:00:00.000000+00:00", entry.get("expires_at").asText());
        assertTrue(entry.get("stun_config").isObject());
        assertEquals("Pixel 8", entry.get("device_name").asText());
        assertEquals("192.168.1.23", entry.get("last_ip").asText());
        assertEquals("Lyon, France", entry.get("last_location").asText());
        assertEquals(Timestamps.format(seen), entry.get("last_seen").asText());
        assertEquals("lan", entry.get("connection_path").asText());
        assertEquals(token.identity().certificatePem(), entry.get(TokenFile.CERTIFICATE_FIELD).asText());
        assertEquals(token.identity().privateKeyPem(), entry.get(TokenFile.PRIVATE_KEY_FIELD).asText());
    }

    @Test
    void unknownDeviceFieldsOmitted() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair(null, ConnectionType.PERMANENT));
        store.deactivate();

        JsonNode entry = readFile().get("tokens").get(0);
        assertTrue(entry.get("device_id").isNull());
        for (String field : List.of("device_name", "last_ip", "last_location", "last_seen", "connection_path")) {
            assertFalse(entry.has(field), field + " is written although unknown");
        }
    }

    @Test
    void newEntryCarriesStunConfig() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair("pixel", ConnectionType.PERMANENT));
        store.deactivate();

        JsonNode servers = readFile().get("tokens").get(0).get("stun_config").get("ice_servers");
        List<String> urls = new ArrayList<>();
        servers.forEach(server -> urls.add(server.asText()));
        assertEquals(IceServers.resolve(null), urls);
    }

    @Test
    void unknownFieldsWrittenBack() throws Exception {
        DtlsIdentity identity = StoreSupport.IDENTITIES.issue().toCompletableFuture().get();
        ObjectNode entry = storedEntry("5b0e6c1a-8d2f-4c7e-9a31-0f4d2e6b8c15", "pixel", identity);
        entry.putObject("stun_config").putArray("ice_servers").addObject().put("urls", "stun:stun.example.org:3478");
        entry.putObject("client").put("app_version", "1.4.2").putArray("features").add("video");
        writeFile(entry);

        PairingTokenStore store = stores.open(directory, clock);
        store.updateDevice("5b0e6c1a-8d2f-4c7e-9a31-0f4d2e6b8c15", device -> device.withName("Pixel 8"));
        store.deactivate();

        JsonNode written = readFile().get("tokens").get(0);
        assertEquals(entry.get("stun_config"), written.get("stun_config"));
        assertEquals(entry.get("client"), written.get("client"));
        assertEquals("Pixel 8", written.get("device_name").asText());
    }

    @Test
    void revokedTokenIsOffDiskOnReturn() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        for (int i = 0; i < 20; i++) {
            PairingToken token = await(store.pair("stolen-" + i, ConnectionType.PERMANENT));
            store.revoke("stolen-" + i);

            // A crash right after revoke returns must not bring the token back at the next start.
            String file = Files.readString(directory.resolve(TokenFile.FILE_NAME));
            assertFalse(file.contains(token.token()), "round " + i + ": revoked token still in tokens.json");
        }
    }

    @Test
    void deviceChangeWaitsForDelay() throws Exception {
        PairingTokenStore store = stores.openWithDeviceSaveDelay(directory, clock, 3600);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        store.updateDevice(token.token(), device -> device.withName("Pixel 8"));
        assertFalse(Files.readString(directory.resolve(TokenFile.FILE_NAME)).contains("Pixel 8"),
                "a device change should not rewrite tokens.json at once");

        store.deactivate();
        assertEquals("Pixel 8", readFile().get("tokens").get(0).get("device_name").asText());
    }

    @Test
    void deviceChangeSavedAfterDelay() throws Exception {
        PairingTokenStore store = stores.openWithDeviceSaveDelay(directory, clock, 1);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        for (int i = 0; i < 50; i++) {
            String name = "Pixel " + i;
            store.updateDevice(token.token(), device -> device.withName(name));
        }

        assertTrue(awaitFileContains("Pixel 49"), "the last device change was not saved within 10 s");
    }

    @Test
    void zeroDelaySavesAtOnce() throws Exception {
        PairingTokenStore store = stores.openWithDeviceSaveDelay(directory, clock, 0);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));

        store.updateDevice(token.token(), device -> device.withName("Pixel 8"));

        assertTrue(awaitFileContains("Pixel 8"), "the device change was not saved within 10 s");
    }

    /** Polls tokens.json for {@code text} for up to 10 seconds. */
    private boolean awaitFileContains(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.readString(directory.resolve(TokenFile.FILE_NAME)).contains(text)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Test
    void restartKeepsTokenAndFingerprint() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));
        store.updateDevice(token.token(), device -> device.withName("Pixel 8"));
        store.deactivate();

        PairingTokenStore restarted = stores.open(directory, clock);
        PairingToken reloaded = restarted.validate(token.token()).orElseThrow();

        assertEquals(token.identity().fingerprintSha256(), reloaded.identity().fingerprintSha256());
        assertEquals(token.identity().certificatePem(), reloaded.identity().certificatePem());
        assertEquals(token.identity().privateKeyPem(), reloaded.identity().privateKeyPem());
        assertEquals(token.createdAt(), reloaded.createdAt());
        assertEquals(token.expiresAt(), reloaded.expiresAt());
        assertEquals("pixel", reloaded.deviceId());
        assertEquals(ConnectionType.PERMANENT, reloaded.connectionType());
        assertEquals("Pixel 8", reloaded.device().name());
    }

    @Test
    void restartRenewsSameToken() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));
        store.deactivate();

        PairingTokenStore restarted = stores.open(directory, clock);
        PairingToken renewed = await(restarted.pair("pixel", ConnectionType.PERMANENT));

        assertEquals(token.token(), renewed.token());
        assertEquals(token.identity().fingerprintSha256(), renewed.identity().fingerprintSha256());
    }

    @Test
    void legacyFileLoadsValidEntries() throws Exception {
        LegacyFixture.copyTo(directory);

        PairingTokenStore store = stores.open(directory, clock);

        List<String> oldestFirst = List.of(LegacyFixture.NO_DEVICE, LegacyFixture.MICROSECONDS, LegacyFixture.ZULU,
                LegacyFixture.NAIVE);
        assertEquals(oldestFirst, store.tokens().stream().map(PairingToken::token).toList());
        assertTrue(store.validate(LegacyFixture.EXPIRED).isEmpty());
        assertTrue(store.validate(LegacyFixture.MALFORMED).isEmpty());
    }

    @Test
    void legacyTimestampsReadExactly() throws Exception {
        LegacyFixture.copyTo(directory);

        PairingTokenStore store = stores.open(directory, clock);

        assertEquals(Instant.parse("2026-04-08T12:34:56.789012Z"), createdAt(store, LegacyFixture.MICROSECONDS));
        assertEquals(Instant.parse("2026-05-08T12:34:56.789012Z"), expiresAt(store, LegacyFixture.MICROSECONDS));
        assertEquals(Instant.parse("2026-04-08T12:34:56Z"), createdAt(store, LegacyFixture.NO_DEVICE));
        assertEquals(Instant.parse("2026-04-09T07:15:00.5Z"), createdAt(store, LegacyFixture.ZULU));
        assertEquals(Instant.parse("2026-04-09T21:40:05.123456Z"), createdAt(store, LegacyFixture.NAIVE));
        assertEquals(Instant.parse("2026-05-09T21:40:05.123456Z"), expiresAt(store, LegacyFixture.NAIVE));
    }

    @Test
    void legacyDeviceDetailsKept() throws Exception {
        LegacyFixture.copyTo(directory);

        PairingTokenStore store = stores.open(directory, clock);

        PairingToken pixel = store.validate(LegacyFixture.MICROSECONDS).orElseThrow();
        assertEquals("pixel-8-3a9f", pixel.deviceId());
        assertEquals(new DeviceInfo("Pixel 8", "Lyon, France", "192.168.1.23", "lan",
                Instant.parse("2026-04-09T18:02:11.402113Z")), pixel.device());
        PairingToken unnamed = store.validate(LegacyFixture.NO_DEVICE).orElseThrow();
        assertNull(unnamed.deviceId());
        assertEquals(DeviceInfo.EMPTY, unnamed.device());
        assertEquals("Device-B71C0D", unnamed.displayName());
    }

    @Test
    void legacyEntriesGetCertificates() throws Exception {
        LegacyFixture.copyTo(directory);
        Map<String, String> legacyFingerprints = fingerprintsInFile();

        PairingTokenStore store = stores.open(directory, clock);
        store.deactivate();

        JsonNode entries = readFile().get("tokens");
        assertEquals(LegacyFixture.VALID_TOKENS, tokensInFile());
        for (JsonNode entry : entries) {
            String token = entry.get("token").asText();
            String fingerprint = entry.get("dtls_fingerprint").asText();
            assertTrue(fingerprint.matches(FINGERPRINT));
            assertNotEquals(legacyFingerprints.get(token), fingerprint);
            assertEquals(store.validate(token).orElseThrow().identity().fingerprintSha256(), fingerprint);
            assertTrue(entry.get(TokenFile.CERTIFICATE_FIELD).asText().startsWith("-----BEGIN CERTIFICATE-----"));
            assertTrue(entry.get(TokenFile.PRIVATE_KEY_FIELD).asText().startsWith("-----BEGIN PRIVATE KEY-----"));
        }
    }

    @Test
    void legacyFieldsWrittenBack() throws Exception {
        LegacyFixture.copyTo(directory);
        JsonNode original = mapper.readTree(LegacyFixture.bytes()).get("tokens");

        stores.open(directory, clock).deactivate();

        JsonNode rewritten = readFile().get("tokens");
        assertEquals(original.get(0).get("stun_config"), rewritten.get(0).get("stun_config"));
        assertEquals(original.get(2).get("stun_config"), rewritten.get(2).get("stun_config"));
        assertEquals("1.4.2", rewritten.get(2).get("app_version").asText());
        assertEquals("2026-04-08T12:34:56.789012+00:00", rewritten.get(0).get("created_at").asText());
        assertEquals("2026-04-09T21:40:05.123456+00:00", rewritten.get(3).get("created_at").asText());
    }

    @Test
    void legacyReissueLoggedOnce() throws Exception {
        LegacyFixture.copyTo(directory);
        List<String> firstStart;
        List<String> secondStart;
        Map<String, String> fingerprints = new HashMap<>();

        try (LogCapture logs = new LogCapture()) {
            PairingTokenStore store = stores.open(directory, clock);
            store.tokens().forEach(token -> fingerprints.put(token.token(), token.identity().fingerprintSha256()));
            store.deactivate();
            firstStart = logs.warnings();
        }
        try (LogCapture logs = new LogCapture()) {
            PairingTokenStore restarted = stores.open(directory, clock);
            for (String token : LegacyFixture.VALID_TOKENS) {
                assertEquals(fingerprints.get(token), restarted.validate(token).orElseThrow().identity()
                        .fingerprintSha256());
            }
            secondStart = logs.warnings();
        }

        assertEquals(1, firstStart.stream().filter(line -> line.startsWith("Issued new certificates")).count());
        assertTrue(secondStart.isEmpty(), "warnings on the second start: " + secondStart);
    }

    @Test
    void malformedEntryKeptAside() throws Exception {
        LegacyFixture.copyTo(directory);
        List<String> warnings;

        try (LogCapture logs = new LogCapture()) {
            stores.open(directory, clock);
            warnings = logs.warnings();
        }

        List<Path> copies = filesStartingWith(TokenFile.FILE_NAME + ".malformed-");
        assertEquals(1, copies.size());
        assertArrayEquals(LegacyFixture.bytes(), Files.readAllBytes(copies.get(0)));
        assertEquals("rw-------", permissions(copies.get(0)));
        String skipped = warnings.stream().filter(line -> line.startsWith("Skipping entry")).findFirst().orElseThrow();
        assertTrue(skipped.contains("entry 6"), skipped);
        assertTrue(skipped.contains("broken-phone-9c1a"), skipped);
        assertTrue(skipped.contains("expires_at"), skipped);
        assertFalse(skipped.contains(LegacyFixture.MALFORMED.substring(0, 9)), skipped);
    }

    @Test
    void duplicateDeviceKeepsNewest() throws Exception {
        DtlsIdentity older = StoreSupport.IDENTITIES.issue().toCompletableFuture().get();
        DtlsIdentity newer = StoreSupport.IDENTITIES.issue().toCompletableFuture().get();
        ObjectNode first = storedEntry("11111111-1111-4111-8111-111111111111", "pixel", older);
        ObjectNode second = storedEntry("22222222-2222-4222-8222-222222222222", "pixel", newer);
        second.put("created_at", Timestamps.format(START.minusSeconds(60)));
        writeFile(first, second);

        PairingTokenStore store = stores.open(directory, clock);

        assertEquals(List.of("22222222-2222-4222-8222-222222222222"),
                store.tokens().stream().map(PairingToken::token).toList());
    }

    @Test
    void corruptFileMovedAside() throws Exception {
        byte[] corrupt = "{\"tokens\": [ {\"token\": \"3f8e2a47-9c1d".getBytes(StandardCharsets.UTF_8);
        Files.write(directory.resolve(TokenFile.FILE_NAME), corrupt);

        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));
        store.deactivate();

        List<Path> aside = filesStartingWith(TokenFile.FILE_NAME + ".corrupt-");
        assertEquals(1, aside.size());
        assertArrayEquals(corrupt, Files.readAllBytes(aside.get(0)));
        assertEquals(List.of(token.token()), tokensInFile());
    }

    @Test
    void damagedFilesMovedAside() throws Exception {
        List<String> damaged = List.of("", "[]", "{\"devices\": []}", "{\"tokens\": {}}", "{\"tokens\": []} trailing",
                "\u0000\u0001binary");
        for (String content : damaged) {
            Path subdirectory = Files.createDirectory(directory.resolve("case-" + damaged.indexOf(content)));
            Files.writeString(subdirectory.resolve(TokenFile.FILE_NAME), content);

            PairingTokenStore store = stores.open(subdirectory, clock);

            assertTrue(store.tokens().isEmpty(), content);
            assertFalse(Files.exists(subdirectory.resolve(TokenFile.FILE_NAME)), content);
            List<Path> aside = filesStartingWith(subdirectory, TokenFile.FILE_NAME + ".corrupt-");
            assertEquals(1, aside.size(), content);
            assertEquals(content, Files.readString(aside.get(0)));
        }
    }

    @Test
    void unreadableFileMovedAside() throws Exception {
        // Root reads any file whatever its mode, so a directory in the file's place stands for an unreadable file.
        Path unreadable = Files.createDirectory(directory.resolve(TokenFile.FILE_NAME));

        PairingTokenStore store = stores.open(directory, clock);
        PairingToken token = await(store.pair("pixel", ConnectionType.PERMANENT));
        store.deactivate();

        assertEquals(1, filesStartingWith(TokenFile.FILE_NAME + ".corrupt-").size());
        assertTrue(Files.isRegularFile(unreadable));
        assertEquals(List.of(token.token()), tokensInFile());
    }

    @Test
    void unrestorableEntryKeptAside() throws Exception {
        LegacyFixture.copyTo(directory);

        PairingTokenStore store = stores.open(directory, clock, new StoreSupport.FailingIdentityProvider(false), 200);

        assertTrue(store.tokens().isEmpty());
        assertEquals(1, filesStartingWith(TokenFile.FILE_NAME + ".unrestorable-").size());
    }

    @Test
    void loosePermissionsRepaired() throws Exception {
        Path data = directory.resolve("contop");
        Files.createDirectory(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path stale = data.resolve("tokens.json.tmp");
        Files.writeString(stale, "{\"tokens\": []}");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-r--r--"));
        Path notes = data.resolve("notes.txt");
        Files.writeString(notes, "left by the user");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-rw-rw-"));
        List<String> warnings;

        try (LogCapture logs = new LogCapture()) {
            PairingTokenStore store = stores.open(data, clock);
            await(store.pair("pixel", ConnectionType.PERMANENT));
            store.deactivate();
            warnings = logs.warnings();
        }

        assertEquals("rwx------", permissions(data));
        assertFalse(Files.exists(stale));
        try (Stream<Path> files = Files.list(data)) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", permissions(file), file.toString());
            }
        }
        assertTrue(Files.exists(data.resolve(TokenFile.FILE_NAME)));
        assertTrue(warnings.stream().anyMatch(line -> line.contains(data + " had permissions rwxr-xr-x")), "" + warnings);
        assertTrue(warnings.stream().anyMatch(line -> line.contains("notes.txt had permissions")), "" + warnings);
    }

    @Test
    void permissionsRepairedOnSave() throws Exception {
        PairingTokenStore store = stores.open(directory, clock);
        await(store.pair("pixel", ConnectionType.PERMANENT));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.setPosixFilePermissions(directory.resolve(TokenFile.FILE_NAME), PosixFilePermissions.fromString("rw-r--r--"));

        await(store.pair("ipad", ConnectionType.PERMANENT));

        assertEquals("rwx------", permissions(directory));
        assertEquals("rw-------", permissions(directory.resolve(TokenFile.FILE_NAME)));
    }

    @Test
    void newDirectoryIsOwnerOnly() throws Exception {
        Path data = directory.resolve("home").resolve(".contop");

        PairingTokenStore store = stores.open(data, clock);
        await(store.pair("pixel", ConnectionType.PERMANENT));

        assertEquals("rwx------", permissions(data));
        assertEquals("rw-------", permissions(data.resolve(TokenFile.FILE_NAME)));
    }

    @Test
    void saveFailureLeavesNothing() throws Exception {
        Path data = directory.resolve("contop");
        PairingTokenStore store = stores.open(data, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        // Root may write anywhere, so a regular file in place of the directory is what makes the save fail.
        Files.delete(data);
        Files.writeString(data, "not a directory");

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> await(store.pair("pixel", ConnectionType.PERMANENT)));

        assertInstanceOf(PairingException.class, failure.getCause());
        assertTrue(store.tokens().isEmpty());
        assertTrue(store.select("pixel").isEmpty());
        assertTrue(store.events(null).isEmpty());
        assertEquals("not a directory", Files.readString(data));
        assertNull(listener.next(1_500));
    }

    @Test
    void saveFailureKeepsReplacedToken() throws Exception {
        Path data = directory.resolve("contop");
        PairingTokenStore store = stores.open(data, clock);
        RecordingListener listener = new RecordingListener();
        store.addListener(listener);
        PairingToken old = await(store.pair("pixel", ConnectionType.PERMANENT));
        Files.move(data, directory.resolve("contop-moved"));
        Files.writeString(data, "not a directory");

        assertThrows(ExecutionException.class, () -> await(store.pair("pixel", ConnectionType.TEMP)));

        assertEquals(List.of(old.token()), store.tokens().stream().map(PairingToken::token).toList());
        assertTrue(store.validate(old.token()).isPresent());
        assertTrue(store.events(null).isEmpty());
        assertNull(listener.next(1_500));
    }

    @Test
    void readersNeverSeePartialFile() throws Exception {
        TokenFile file = new TokenFile(directory);
        file.load();
        DtlsIdentity identity = StoreSupport.IDENTITIES.issue().toCompletableFuture().get();
        List<String> problems = new ArrayList<>();
        int[] reads = {0};
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread reader = new Thread(() -> readWhile(writing, problems, reads));

        file.save(List.of());
        reader.start();
        for (int i = 1; i <= 200; i++) {
            List<StoredToken> tokens = new ArrayList<>();
            for (int j = 0; j < i % 7 + 1; j++) {
                tokens.add(stored(i + "-" + j, identity));
            }
            file.save(tokens);
        }
        writing.set(false);
        reader.join();

        assertTrue(reads[0] > 0);
        assertEquals(List.of(), problems);
        assertTrue(filesStartingWith(TokenFile.FILE_NAME + ".").isEmpty());
    }

    /** Reads and parses the file again and again, noting every read that fails and every loose temporary file. */
    private void readWhile(AtomicBoolean writing, List<String> problems, int[] reads) {
        Path path = directory.resolve(TokenFile.FILE_NAME);
        while (writing.get()) {
            try {
                JsonNode root = mapper.readTree(Files.readAllBytes(path));
                if (!root.path("tokens").isArray()) {
                    problems.add("no tokens array: " + root);
                }
                for (Path temporary : filesStartingWith(TokenFile.FILE_NAME + ".")) {
                    String mode = permissionsIfPresent(temporary);
                    if (mode != null && !mode.equals("rw-------")) {
                        problems.add(temporary + " has permissions " + mode);
                    }
                }
                reads[0]++;
            } catch (IOException e) {
                problems.add(e.toString());
            }
        }
    }

    private StoredToken stored(String token, DtlsIdentity identity) {
        return new StoredToken(token, "device-" + token, ConnectionType.PERMANENT, START, START.plusSeconds(60),
                identity.fingerprintSha256(), identity.certificatePem(), identity.privateKeyPem(), DeviceInfo.EMPTY,
                null);
    }

    private ObjectNode storedEntry(String token, String deviceId, DtlsIdentity identity) {
        ObjectNode entry = mapper.createObjectNode();
        entry.put("token", token);
        entry.put("device_id", deviceId);
        entry.put("connection_type", "permanent");
        entry.put("dtls_fingerprint", identity.fingerprintSha256());
        entry.put("created_at", Timestamps.format(START.minusSeconds(120)));
        entry.put("expires_at", Timestamps.format(START.plusSeconds(86_400)));
        entry.put(TokenFile.CERTIFICATE_FIELD, identity.certificatePem());
        entry.put(TokenFile.PRIVATE_KEY_FIELD, identity.privateKeyPem());
        return entry;
    }

    private void writeFile(ObjectNode... entries) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode tokens = root.putArray("tokens");
        for (ObjectNode entry : entries) {
            tokens.add(entry);
        }
        Files.write(directory.resolve(TokenFile.FILE_NAME), mapper.writeValueAsBytes(root));
    }

    private JsonNode readFile() throws IOException {
        return mapper.readTree(Files.readAllBytes(directory.resolve(TokenFile.FILE_NAME)));
    }

    private List<String> tokensInFile() throws IOException {
        List<String> tokens = new ArrayList<>();
        readFile().get("tokens").forEach(entry -> tokens.add(entry.get("token").asText()));
        return tokens;
    }

    private Map<String, String> fingerprintsInFile() throws IOException {
        Map<String, String> fingerprints = new HashMap<>();
        readFile().get("tokens").forEach(entry ->
                fingerprints.put(entry.get("token").asText(), entry.get("dtls_fingerprint").asText()));
        return fingerprints;
    }

    private List<Path> filesStartingWith(String prefix) throws IOException {
        return filesStartingWith(directory, prefix);
    }

    private static List<Path> filesStartingWith(Path folder, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> iterator = node.fieldNames(); iterator.hasNext(); ) {
            names.add(iterator.next());
        }
        return names;
    }

    private static String permissions(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static String permissionsIfPresent(Path path) {
        try {
            return permissions(path);
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant createdAt(PairingTokenStore store, String token) {
        return store.validate(token).orElseThrow().createdAt();
    }

    private static Instant expiresAt(PairingTokenStore store, String token) {
        return store.validate(token).orElseThrow().expiresAt();
    }
}
