package io.contop.host.tokens.internal;

import io.contop.host.api.PairingToken;
import io.contop.host.api.TokenEndReason;
import io.contop.host.api.TokenListener;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A token listener that queues every call so a test can wait for it. */
final class RecordingListener implements TokenListener {
    /** One call of {@link #tokenEnded}. */
    record Ended(String token, TokenEndReason reason) {
    }

    private final BlockingQueue<Ended> calls = new LinkedBlockingQueue<>();

    @Override
    public void tokenEnded(PairingToken token, TokenEndReason reason) {
        calls.add(new Ended(token.token(), reason));
    }

    /** Returns the next call, or null when none arrives within {@code millis}. */
    Ended next(long millis) throws InterruptedException {
        return calls.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean isEmpty() {
        return calls.isEmpty();
    }
}
