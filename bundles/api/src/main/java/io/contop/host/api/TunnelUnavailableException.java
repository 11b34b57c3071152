package io.contop.host.api;

/** The tunnel could not be started; the message says why, for the user, and never holds a secret. */
public class TunnelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TunnelUnavailableException(String message) {
        super(message);
    }

    public TunnelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
