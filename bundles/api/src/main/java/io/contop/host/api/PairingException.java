package io.contop.host.api;

/** A pairing request that could not be served. The message never contains a secret. */
public class PairingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PairingException(String message) {
        super(message);
    }

    public PairingException(String message, Throwable cause) {
        super(message, cause);
    }
}
