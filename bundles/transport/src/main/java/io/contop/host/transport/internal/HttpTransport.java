package io.contop.host.transport.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.ConsoleResources;
import io.contop.host.api.EngineStatus;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.PairingToken;
import io.contop.host.api.PairingService;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.TokenEndReason;
import io.contop.host.api.TokenListener;
import io.contop.host.api.TokenStore;
import io.contop.host.api.TunnelControl;
import io.contop.host.api.WebRtcEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty listener: {@code GET /health} and {@code GET /} for anyone, the REST API for loopback
 * clients only, and the signaling WebSocket {@code /ws/signaling?token=...} for phones.
 */
@Component(immediate = true, service = {SignalingTransport.class, TokenListener.class}, configurationPid = "io.contop.host.transport")
@Designate(ocd = HttpTransport.Config.class)
public final class HttpTransport implements SignalingTransport, TokenListener {

    @ObjectClassDefinition(name = "Contop Host transport", description = "HTTP and signaling WebSocket listener.")
    public @interface Config {
        @AttributeDefinition(name = "Port", min = "-1", max = "65535", required = false,
                description = "TCP port; -1 uses CONTOP_PORT, else the contop.port system property, else 8000. "
                        + "0 picks a free port.")
        int port() default -1;

        @AttributeDefinition(name = "Bind address", required = false,
                description = "Address to listen on; empty uses CONTOP_HOST, else all interfaces.")
        String host() default "";

        @AttributeDefinition(name = "Maximum signaling message (bytes)", min = "16384", max = "1048575",
                description = "Larger text frames close the socket with 1009.")
        int max_message_bytes() default 262144;

        @AttributeDefinition(name = "Signaling idle timeout (seconds)", min = "5", max = "3600",
                description = "A signaling socket that sends nothing for this long is closed.")
        int idle_timeout_seconds() default 60;

        @AttributeDefinition(name = "Signaling messages per second", min = "1", max = "10000",
                description = "Sustained message rate allowed per socket; bursts of 10 times this pass.")
        int messages_per_second() default 50;

        @AttributeDefinition(name = "Request log", required = false,
                description = "Log one line per HTTP request (client address, method, path without the query "
                        + "string, status, bytes, time) at INFO on the logger " + RequestLogs.LOGGER + ".")
        boolean request_log() default false;
    }

    static final String PUBLIC_CONNECTOR = "public";
    static final String TUNNEL_CONNECTOR = "tunnel";
    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

    private final HostServices services;
    private final SignalingRegistry registry = new SignalingRegistry();
    private final Server server;
    private final ServerConnector connector;
    private final ServerConnector tunnelConnector;
    private final int messagesPerSecond;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<NetworkPath> paths = new ArrayList<>();

    /** Dynamic, because the pairing service itself needs this transport's port. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PairingService pairing;

    /** Dynamic, so that stopping or updating the engine bundle leaves the listener running. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile WebRtcEngine engine;

    /** The local console's files; optional, so the daemon runs without the console bundle. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ConsoleResources console;

    /** Dynamic, because the tunnel needs this transport's tunnel port, and optional, since its bundle may be absent. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TunnelControl tunnel;

    @Activate
    public HttpTransport(@Reference TokenStore tokens, Config config,
            BundleContext bundleContext) throws Exception {
        int port = resolvePort(config.port(), firstSet(System.getenv("CONTOP_PORT"), System.getProperty("contop.port")));
        String host = resolveHost(config.host(), System.getenv("CONTOP_HOST"));
        this.messagesPerSecond = config.messages_per_second();
        String version = bundleContext.getBundle().getVersion().toString();
        this.services = new HostServices(tokens, () -> pairing, new CurrentEngine(() -> engine), this::currentPaths,
                this::port, version, () -> tunnel);

        QueuedThreadPool threads = new QueuedThreadPool(64, 4, 60_000);
        threads.setName("contop-http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(16 * 1024);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setName(PUBLIC_CONNECTOR);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        // A tunnel forwards public traffic here. Requests on this connector never count as
        // loopback, so the REST API rejects them even though they arrive from 127.0.0.1.
        tunnelConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        tunnelConnector.setName(TUNNEL_CONNECTOR);
        tunnelConnector.setHost("127.0.0.1");
        tunnelConnector.setPort(0);
        server.addConnector(tunnelConnector);

        ContextHandler root = new ContextHandler("/");
        WebSocketUpgradeHandler signaling = WebSocketUpgradeHandler.from(server, root, container -> {
            container.setMaxTextMessageSize(config.max_message_bytes());
            container.setMaxBinaryMessageSize(config.max_message_bytes());
            container.setIdleTimeout(Duration.ofSeconds(config.idle_timeout_seconds()));
            container.addMapping("/ws/signaling", this::createSocket);
        });
        signaling.setHandler(new Handler.Sequence(new PublicEndpoints(), new LocalRequestGuard(),
                new ConsoleHandler(() -> console), new QrModulesEndpoint(services), new RestApi(services),
                new NotFound()));
        root.setHandler(signaling);
        server.setHandler(root);
        server.setStopTimeout(2000);
        if (config.request_log()) {
            server.setRequestLog(RequestLogs.withoutQuery());
        }

        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw new IllegalStateException("Cannot listen on " + (host == null ? "*" : host) + ":" + port + ": "
                    + e.getMessage(), e);
        }
        LOG.info("Listening on {}:{} (REST API for loopback clients only; signaling at /ws/signaling, idle timeout {} s{})",
                host == null ? "*" : host, connector.getLocalPort(), config.idle_timeout_seconds(),
                config.request_log() ? "; request log on" : "");
    }

    @Deactivate
    void deactivate() throws Exception {
        int port = connector.getLocalPort();
        registry.closeAll(1001, "The host is stopping");
        server.stop();
        LOG.info("Stopped listening on port {}", port);
    }

    private static String firstSet(String first, String second) {
        return first != null && !first.isBlank() ? first : second;
    }

    static int resolvePort(int configured, String environment) {
        if (configured >= 0) {
            if (configured > 65535) {
                throw new IllegalArgumentException("port must be a number from -1 to 65535, was " + configured);
            }
            return configured;
        }
        String value = environment != null && !environment.isBlank() ? environment.strip() : "8000";
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CONTOP_PORT must be a number from 0 to 65535, was \"" + value + "\"");
        }
    }

    static String resolveHost(String configured, String environment) {
        String value = configured != null && !configured.isBlank() ? configured.strip()
                : environment != null && !environment.isBlank() ? environment.strip() : null;
        return value;
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public int tunnelPort() {
        return tunnelConnector.getLocalPort();
    }

    @Override
    public void closeSignaling(String token, int closeCode, String reason) {
        registry.close(token, closeCode, reason);
    }

    @Override
    public void tokenEnded(PairingToken token, TokenEndReason reason) {
        registry.close(token.token(), SignalingRegistry.CLOSE_INVALID_TOKEN,
                "Token " + reason.name().toLowerCase(Locale.ROOT));
    }

    /** Returns the network paths registered now, highest service ranking first. */
    private List<NetworkPath> currentPaths() {
        List<NetworkPath> current = new ArrayList<>(paths);
        Collections.reverse(current);
        return current;
    }

    static boolean isLoopbackRequest(Request request) {
        return PUBLIC_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName())
                && ClientAddresses.isLoopback(Request.getRemoteAddr(request));
    }

    private Object createSocket(Request request, Response response, Callback callback) {
        if (!QueryParameters.isWellFormed(request.getHttpURI().getQuery())) {
            // Refused before the upgrade: Jetty's upgrade turns the request URI into a
            // java.net.URI, which rejects such a query with a 500 and a warning that logs the
            // whole URI, token included.
            JsonResponses.error(response, callback, 400, "invalid_query",
                    "The query string is invalid: use ?token=<token> with RFC 3986 characters only");
            return null;
        }
        // Exactly one token parameter: a query that names two leaves which one counts ambiguous.
        // An invalid query string counts as no token, so the socket is refused with 4001.
        List<String> tokens = QueryParameters.parse(request).map(query -> query.getValues("token")).orElse(null);
        String token = tokens != null && tokens.size() == 1 ? tokens.get(0) : null;
        PairingToken valid = token == null ? null : services.tokens().validate(token).orElse(null);
        if (valid == null) {
            LOG.info("Signaling refused from {}: missing, unknown or expired token", Request.getRemoteAddr(request));
        }
        boolean viaTunnel = !PUBLIC_CONNECTOR.equals(request.getConnectionMetaData().getConnector().getName());
        return new SignalingSocket(services, registry, valid, Request.getRemoteAddr(request), viaTunnel,
                new RateLimiter(messagesPerSecond, messagesPerSecond * 10.0));
    }

    /** {@code GET /health} and {@code GET /}, open to every client. */
    private final class PublicEndpoints extends Handler.Abstract {
        PublicEndpoints() {
            super(InvocationType.NON_BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            boolean read = HttpMethod.GET.is(request.getMethod()) || HttpMethod.HEAD.is(request.getMethod());
            if (read && "/health".equals(path)) {
                ObjectNode body = JsonResponses.object();
                body.put("status", "healthy");
                body.put("service", "contop-server");
                body.put("version", services.version());
                EngineStatus engine = services.engine().status();
                ObjectNode webrtc = body.putObject("webrtc");
                webrtc.put("available", engine.available());
                webrtc.put("detail", engine.detail());
                JsonResponses.send(response, callback, 200, body);
                return true;
            }
            if (read && "/".equals(path)) {
                ObjectNode body = JsonResponses.object();
                body.put("service", "contop-server");
                body.put("description", "Contop Host: pairs phones by QR code and connects them over WebRTC");
                body.put("health_endpoint", "/health");
                JsonResponses.send(response, callback, 200, body);
                return true;
            }
            return false;
        }
    }

    /** The JSON 404 for every path no other handler took. */
    private static final class NotFound extends Handler.Abstract {
        NotFound() {
            super(InvocationType.NON_BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            JsonResponses.error(response, callback, 404, "not_found", "No such endpoint");
            return true;
        }
    }
}
