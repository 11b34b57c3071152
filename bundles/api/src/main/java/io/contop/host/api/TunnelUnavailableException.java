package io.contop.host.api;

/** The tunnel could not be started. The message gives the reason for the user and never contains a secret. */
public class TunnelUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TunnelUnavailableException(String message) {
        super(message);
    }

    public TunnelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
