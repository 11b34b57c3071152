package io.contop.host.tokens.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConnectionType;
import io.contop.host.api.DeviceInfo;
import io.contop.host.api.Timestamps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes {@code tokens.json}: {@code {"tokens":[{...}]}} with the fields of the server
 * Contop Host replaces, plus the PEM certificate and private key of each entry.
 *
 * <p>The directory is kept at 0700 and every file in it at 0600. A write goes to a new owner-only
 * temporary file that is flushed to disk and then moved over the old file, so a crash leaves
 * either the old or the new content. A file that cannot be parsed is moved aside, never
 * overwritten.
 */
final class TokenFile {
    static final String FILE_NAME = "tokens.json";
    static final String CERTIFICATE_FIELD = "dtls_certificate_pem";
    static final String PRIVATE_KEY_FIELD = "dtls_private_key_pem";
    private static final String TEMPORARY_SUFFIX = ".tmp";
    private static final Set<PosixFilePermission> OWNER_FILE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
    private static final Set<String> KNOWN_FIELDS = Set.of("token", "device_id", "connection_type",
            "dtls_fingerprint", "created_at", "expires_at", "device_name", "last_ip", "last_location", "last_seen",
            "connection_path", CERTIFICATE_FIELD, PRIVATE_KEY_FIELD);

    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Path directory;
    private final Path file;

    TokenFile(Path directory) {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
    }

    Path path() {
        return file;
    }

    /** Result of reading the file: the entries that parsed, and whether any was skipped. */
    record Contents(List<StoredToken> tokens, boolean skippedEntries) {
    }

    /**
     * Creates the directory if needed, repairs loose permissions, removes stale temporary files and
     * reads the entries. A file that cannot be read, or is not valid JSON of the expected shape, is
     * moved to {@code tokens.json.corrupt-<timestamp>} and an empty store is returned.
     */
    Contents load() throws IOException {
        prepareDirectory(true);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return new Contents(List.of(), false);
        }

        JsonNode root;
        try {
            root = mapper.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            JsonLocation location = e.getLocation();
            quarantine("it is not valid JSON" + (location == null ? "" : " (line " + location.getLineNr() + ")"));
            return new Contents(List.of(), false);
        } catch (IOException e) {
            quarantine("reading it failed (" + e + ")");
            return new Contents(List.of(), false);
        }
        if (root == null || !root.isObject() || !root.path("tokens").isArray()) {
            quarantine("it has no \"tokens\" array");
            return new Contents(List.of(), false);
        }

        List<StoredToken> tokens = new ArrayList<>();
        boolean skipped = false;
        int position = 1;
        for (JsonNode entry : root.get("tokens")) {
            try {
                tokens.add(parseEntry(entry));
            } catch (IllegalArgumentException e) {
                skipped = true;
                LOG.warn("Skipping entry {} (counting from 1) of {} (device_id {}): {}", position, file,
                        entry.path("device_id").asText("none"), e.getMessage());
            }
            position++;
        }
        if (skipped) {
            keepCopy("malformed");
        }
        return new Contents(tokens, skipped);
    }

    /**
     * Writes the entries atomically and durably. Callers must serialize saves, because this method
     * does not. It leaves temporary files of other writers alone.
     */
    void save(List<StoredToken> tokens) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("tokens");
        for (StoredToken token : tokens) {
            array.add(toJson(token));
        }
        byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);

        prepareDirectory(false);
        // The temporary file is new, randomly named and owner-only from its creation, so no stale
        // file is reused and no other user can open it before the move.
        Path temporary = Files.createTempFile(directory, FILE_NAME + ".", TEMPORARY_SUFFIX,
                PosixFilePermissions.asFileAttribute(OWNER_FILE));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory();
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Creates the directory owner-only if it is missing and repairs looser permissions of the
     * directory and of the regular files in it, with a warning for each.
     *
     * @param removeTemporary whether to delete temporary files left by an interrupted save, which
     *     is safe only before this process starts saving
     */
    private void prepareDirectory(boolean removeTemporary) throws IOException {
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
        }
        Set<PosixFilePermission> directoryPermissions = Files.getPosixFilePermissions(directory);
        if (!directoryPermissions.equals(OWNER_DIRECTORY)) {
            LOG.warn("{} had permissions {}; setting them to rwx------",
                    directory, PosixFilePermissions.toString(directoryPermissions));
            Files.setPosixFilePermissions(directory, OWNER_DIRECTORY);
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                repairEntry(entry, removeTemporary);
            }
        }
    }

    private void repairEntry(Path entry, boolean removeTemporary) throws IOException {
        if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        String name = entry.getFileName().toString();
        if (removeTemporary && name.startsWith(FILE_NAME + ".") && name.endsWith(TEMPORARY_SUFFIX)) {
            LOG.warn("Removing {}, a temporary file left by an interrupted save", entry);
            Files.delete(entry);
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_FILE.containsAll(permissions)) {
            LOG.warn("{} had permissions {}; setting them to rw-------",
                    entry, PosixFilePermissions.toString(permissions));
            Files.setPosixFilePermissions(entry, OWNER_FILE);
        }
    }

    private void quarantine(String reason) throws IOException {
        Path aside = directory.resolve(FILE_NAME + ".corrupt-" + fileTimestamp());
        Files.move(file, aside);
        LOG.error("{} cannot be read because {}; moved it to {} and starting with no permanent pairings",
                file, reason, aside);
    }

    /** Copies the file as read to {@code tokens.json.<label>-<timestamp>}, owner-only from its creation. */
    void keepCopy(String label) throws IOException {
        Path copy = directory.resolve(FILE_NAME + "." + label + "-" + fileTimestamp());
        Files.createFile(copy, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        Files.write(copy, Files.readAllBytes(file));
        LOG.warn("Kept a copy of the original {} as {} because entries of it were dropped", file, copy);
    }

    private static String fileTimestamp() {
        return Instant.now().toString().replace(":", "") + "-" + UUID.randomUUID().toString().substring(0, 4);
    }

    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("Could not sync directory {}: {}", directory, e.getMessage());
        }
    }

    private StoredToken parseEntry(JsonNode entry) {
        if (!entry.isObject()) {
            throw new IllegalArgumentException("it is not a JSON object");
        }
        String token = requiredText(entry, "token");
        ConnectionType type = ConnectionType.fromWireName(optionalText(entry, "connection_type"))
                .orElse(ConnectionType.PERMANENT);
        Instant createdAt = timestamp("created_at", requiredText(entry, "created_at"));
        Instant expiresAt = timestamp("expires_at", requiredText(entry, "expires_at"));
        String lastSeen = optionalText(entry, "last_seen");
        DeviceInfo device = new DeviceInfo(optionalText(entry, "device_name"), optionalText(entry, "last_location"),
                optionalText(entry, "last_ip"), optionalText(entry, "connection_path"),
                lastSeen == null ? null : timestamp("last_seen", lastSeen));

        ObjectNode extra = mapper.createObjectNode();
        entry.fields().forEachRemaining(field -> {
            if (!KNOWN_FIELDS.contains(field.getKey())) {
                extra.set(field.getKey(), field.getValue());
            }
        });
        return new StoredToken(token, optionalText(entry, "device_id"), type, createdAt, expiresAt,
                optionalText(entry, "dtls_fingerprint"), optionalText(entry, CERTIFICATE_FIELD),
                optionalText(entry, PRIVATE_KEY_FIELD), device, extra);
    }

    private ObjectNode toJson(StoredToken token) {
        ObjectNode entry = mapper.createObjectNode();
        entry.put("token", token.token());
        entry.put("device_id", token.deviceId());
        entry.put("connection_type", token.type().wireName());
        entry.put("dtls_fingerprint", token.fingerprint());
        entry.put("created_at", Timestamps.format(token.createdAt()));
        entry.put("expires_at", Timestamps.format(token.expiresAt()));
        DeviceInfo device = token.device();
        putIfPresent(entry, "device_name", device.name());
        putIfPresent(entry, "last_ip", device.lastIp());
        putIfPresent(entry, "last_location", device.lastLocation());
        putIfPresent(entry, "last_seen", device.lastSeen() == null ? null : Timestamps.format(device.lastSeen()));
        putIfPresent(entry, "connection_path", device.connectionPath());
        if (token.extra() != null) {
            entry.setAll(token.extra());
        }
        entry.put(CERTIFICATE_FIELD, token.certificatePem());
        entry.put(PRIVATE_KEY_FIELD, token.privateKeyPem());
        return entry;
    }

    /**
     * Returns the fields a new entry carries besides the known ones:
     * {@code "stun_config": {"ice_servers": ["stun:...", ...]}}. Loaded entries keep their own
     * {@code stun_config} unchanged, whatever its shape.
     */
    static ObjectNode newEntryFields(List<String> iceServers) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        ArrayNode servers = fields.putObject("stun_config").putArray("ice_servers");
        iceServers.forEach(servers::add);
        return fields;
    }

    private static void putIfPresent(ObjectNode entry, String field, String value) {
        if (value != null) {
            entry.put(field, value);
        }
    }

    /** Parses a timestamp field. The error names the field but not its text, which could be a token. */
    private static Instant timestamp(String field, String text) {
        try {
            return Timestamps.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not an ISO 8601 timestamp");
        }
    }

    private static String requiredText(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" is missing or not a string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" is not a string");
        }
        return value.asText();
    }
}
