package io.contop.host.itests.webrtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * A man in the middle on the signaling path: a WebSocket relay between a phone in a network
 * namespace and the daemon on loopback that forwards every text frame both ways, and, while
 * {@link #forging(boolean) forging}, replaces the {@code a=fingerprint:sha-256} lines of the
 * daemon's answer with the fingerprint of a certificate of its own, as an attacker who wants to
 * terminate DTLS itself would.
 *
 * <p>Jetty serves {@code /ws/signaling} on the namespace's root-side address, where the phone
 * connects; each phone socket gets its own connection to the daemon with the JDK WebSocket client
 * and the same query, token included.
 */
final class FingerprintRelay implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FINGERPRINT_LINE = Pattern.compile("(?m)^a=fingerprint:sha-256 [0-9A-Fa-f:]+$");

    private final String address;
    private final int daemonPort;
    private final String forgedFingerprint;
    private final Server server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger forgedAnswers = new AtomicInteger();
    private volatile boolean forging = true;

    /** Starts the relay on {@code address}, forwarding to the daemon on {@code 127.0.0.1:daemonPort}. */
    FingerprintRelay(String address, int daemonPort) throws Exception {
        this.address = address;
        this.daemonPort = daemonPort;
        this.forgedFingerprint = newCertificateFingerprint();
        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(address);
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container ->
                container.addMapping("/ws/signaling", (request, response, callback) ->
                        new PhoneSide(request.getHttpURI().getQuery()))));
        server.start();
    }

    /** Sets whether answers get the forged fingerprint (true from the start) or pass unchanged. */
    FingerprintRelay forging(boolean forge) {
        this.forging = forge;
        return this;
    }

    /** Returns the URL a phone in the namespace uses in place of the daemon's signaling URL. */
    String signalingUrl(String token) {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return "ws://" + address + ":" + port + "/ws/signaling?token=" + token;
    }

    /** Returns the fingerprint put into answers, with colons, as in an SDP line. */
    String forgedFingerprint() {
        return forgedFingerprint;
    }

    /** Returns how many answers were forwarded with the forged fingerprint. */
    int forgedAnswers() {
        return forgedAnswers.get();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Returns {@code text} with a forged answer's fingerprint lines replaced, or unchanged. */
    private String rewrite(String text) {
        if (!forging) {
            return text;
        }
        try {
            JsonNode message = JSON.readTree(text);
            if (message == null || !"answer".equals(message.path("type").asText())) {
                return text;
            }
            String sdp = message.path("sdp").asText();
            String forged = FINGERPRINT_LINE.matcher(sdp)
                    .replaceAll(Matcher.quoteReplacement("a=fingerprint:sha-256 " + forgedFingerprint));
            ((ObjectNode) message).put("sdp", forged);
            forgedAnswers.incrementAndGet();
            return message.toString();
        } catch (java.io.IOException e) {
            return text;
        }
    }

    /**
     * One phone's socket and its connection to the daemon. Public because Jetty calls the
     * listener methods through a public method lookup.
     */
    public final class PhoneSide implements Session.Listener.AutoDemanding {
        private final String query;
        private volatile Session phone;
        private WebSocket daemon;

        PhoneSide(String query) {
            this.query = query;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.phone = session;
            URI upstream = URI.create("ws://127.0.0.1:" + daemonPort + "/ws/signaling" + (query == null ? "" : "?" + query));
            try {
                daemon = client.newWebSocketBuilder().buildAsync(upstream, new DaemonSide(this))
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                session.close(1011, "relay could not reach the daemon: " + e, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketText(String text) {
            synchronized (this) {
                daemon.sendText(text, true).join();
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            WebSocket upstream = daemon;
            if (upstream != null) {
                upstream.sendClose(statusCode, reason == null ? "" : reason);
            }
        }

        void sendToPhone(String text) {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            synchronized (this) {
                phone.sendText(text, Callback.from(() -> sent.complete(null), sent::completeExceptionally));
            }
            sent.orTimeout(10, TimeUnit.SECONDS).join();
        }

        void daemonClosed(int code, String reason) {
            Session session = phone;
            if (session != null && session.isOpen()) {
                session.close(code, reason, Callback.NOOP);
            }
        }
    }

    /** Receives the daemon's frames for one phone; text frames may arrive in parts. */
    private final class DaemonSide implements WebSocket.Listener {
        private final PhoneSide phoneSide;
        private final StringBuilder partial = new StringBuilder();

        DaemonSide(PhoneSide phoneSide) {
            this.phoneSide = phoneSide;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                phoneSide.sendToPhone(rewrite(text));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            phoneSide.daemonClosed(statusCode, reason);
            return null;
        }
    }

    /** Returns the SHA-256 fingerprint of a fresh self-signed certificate, as upper-case hex pairs with colons. */
    private static String newCertificateFingerprint() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=signaling relay");
        Instant now = Instant.now();
        byte[] der = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                .getEncoded();
        String hex = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        return hex.replaceAll("(..)(?!$)", "$1:");
    }
}
