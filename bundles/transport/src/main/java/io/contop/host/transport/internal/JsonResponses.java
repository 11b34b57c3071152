package io.contop.host.transport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON and error responses; every HTTP error body of the host is built here. */
final class JsonResponses {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonResponses() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** Sends {@code {"error":<code>,"message":<message>}}; the message must never contain a secret. */
    static void error(Response response, Callback callback, int status, String code, String message) {
        ObjectNode body = object();
        body.put("error", code);
        body.put("message", message);
        send(response, callback, status, body);
    }

    static void png(Response response, Callback callback, byte[] png) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/png");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(png), callback);
    }

    static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
