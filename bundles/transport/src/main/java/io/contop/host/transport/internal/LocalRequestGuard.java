package io.contop.host.transport.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Rejects with 403 every request for the REST API ({@code /api/}) or the console ({@code /console})
 * that does not come from this machine, and passes the others on.
 *
 * <p>A request is local when it reaches the public listener from a loopback address, and its
 * {@code Host} and {@code Origin} headers, when present, name a loopback host. The header checks
 * stop web pages from other sites, which the user's browser runs on this machine: a page whose
 * own host name resolves to 127.0.0.1 (DNS rebinding) sends its own name as {@code Host}, and a
 * cross-site request carries the page's {@code Origin}. Clients without a browser, such as curl,
 * send a loopback {@code Host} and no {@code Origin}.
 */
final class LocalRequestGuard extends Handler.Abstract {

    LocalRequestGuard() {
        super(InvocationType.NON_BLOCKING);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean api = path.startsWith("/api/");
        boolean console = path.equals("/console") || path.startsWith("/console/");
        if (!api && !console) {
            return false;
        }
        String what = api ? "The REST API" : "The console";
        if (!HttpTransport.isLoopbackRequest(request)) {
            JsonResponses.error(response, callback, 403, "forbidden", what + " answers only to clients on this machine");
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        if (host != null && !isLoopbackHost(hostOfAuthority(host))) {
            JsonResponses.error(response, callback, 403, "forbidden", what
                    + " answers only to requests for a loopback host name, such as 127.0.0.1 or localhost");
            return true;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin != null && !isLocalOrigin(origin)) {
            JsonResponses.error(response, callback, 403, "forbidden", what
                    + " does not answer requests made by pages of other sites");
            return true;
        }
        return false;
    }

    /**
     * Returns true for origins of pages on this machine ({@code http} or {@code https} with a
     * loopback host) and for non-web schemes such as {@code file://} of desktop applications;
     * false for {@code null} (sandboxed pages) and for web pages on any other host.
     */
    static boolean isLocalOrigin(String origin) {
        int colon = origin.indexOf(':');
        if (colon <= 0) {
            return false;
        }
        String scheme = origin.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return scheme.matches("[a-z][a-z0-9+.-]*");
        }
        try {
            String host = new URI(origin).getHost();
            return host != null && isLoopbackHost(host);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Returns the host of a {@code Host} header value: without the port, an IPv6 literal keeps its brackets. */
    static String hostOfAuthority(String authority) {
        String value = authority.strip();
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end < 0 ? value : value.substring(0, end + 1);
        }
        int colon = value.lastIndexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    /**
     * Returns true for {@code localhost}, names under {@code .localhost} (which browsers resolve to
     * loopback themselves), and loopback IP literals; IPv6 literals may be in brackets.
     */
    static boolean isLoopbackHost(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.equals("localhost") || name.endsWith(".localhost") || ClientAddresses.isLoopback(name);
    }
}
