package io.contop.host.api;

/** Why a token stopped being valid before or at its expiry. */
public enum TokenEndReason {
    /** The user revoked the token. */
    REVOKED,
    /** The same device paired again and received a new token. */
    REPLACED,
    /** The token reached its expiry time. */
    EXPIRED
}
