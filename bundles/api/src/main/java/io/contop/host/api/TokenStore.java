package io.contop.host.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * Issues, validates, renews and revokes pairing tokens, and keeps the device events.
 *
 * <p>Selection rule used when a device id is omitted: the valid permanent token if there is one,
 * otherwise the most recently created token. At most one valid token exists per device id.
 * Permanent tokens are persisted; temporary tokens live in memory only. Implementations are
 * thread-safe.
 */
public interface TokenStore {

    /**
     * Pairs a device. A still-valid permanent token selected for {@code deviceId} is renewed (the
     * same token and expiry are returned); otherwise a new token is created, replacing and
     * revoking any token the same device id held.
     *
     * @param deviceId the device id, or null
     * @param type the kind of pairing
     * @return a stage completed with the token once it is stored, or exceptionally with
     *     {@link PairingException} when no token could be created; then nothing was stored
     */
    CompletionStage<PairingToken> pair(String deviceId, ConnectionType type);

    /**
     * Looks up a token in constant time with respect to the token's content. An expired token is
     * removed and reported as absent.
     */
    Optional<PairingToken> validate(String token);

    /** Returns the token that the selection rule picks for {@code deviceId} (null for none), if any. */
    Optional<PairingToken> select(String deviceId);

    /**
     * Revokes the token that the selection rule picks for {@code deviceId} (null for none) and
     * records a {@code revoked} event.
     *
     * @return the revoked token, or empty when there was none
     */
    Optional<PairingToken> revoke(String deviceId);

    /** Returns every valid token, oldest first. */
    List<PairingToken> tokens();

    /**
     * Updates what is known of the device behind {@code token}. Unknown tokens are ignored.
     *
     * @return the updated token, or empty when the token is not (or no longer) valid
     */
    Optional<PairingToken> updateDevice(String token, UnaryOperator<DeviceInfo> update);

    /** Appends an event to the ring of recent events (at least the last 100 are kept). */
    void recordEvent(DeviceEvent event);

    /** Returns the events strictly after {@code since}, or all kept events when {@code since} is null. */
    List<DeviceEvent> events(Instant since);
}
