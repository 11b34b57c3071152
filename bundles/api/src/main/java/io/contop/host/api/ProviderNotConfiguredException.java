package io.contop.host.api;

/** Pairing needs at least one AI provider with an API key or in subscription mode, and none is configured. */
public class ProviderNotConfiguredException extends PairingException {
    private static final long serialVersionUID = 1L;

    public ProviderNotConfiguredException(String message) {
        super(message);
    }
}
