package io.contop.host.api;

/**
 * Whiteboard service notified when a token stops being valid, so that live sessions for it can be
 * closed at once. Calls arrive on a thread of the token store, after the token is removed; a
 * listener must not block for long and should not throw.
 */
@FunctionalInterface
public interface TokenListener {
    void tokenEnded(PairingToken token, TokenEndReason reason);
}
