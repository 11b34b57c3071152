package io.contop.host.itests.paths;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A one-shot HTTP client that a test runs with {@code ip netns exec}, because the daemon under
 * test listens on the loopback interface of a network namespace that the test JVM cannot reach.
 *
 * <p>Usage: {@code NamespaceHttp GET|POST <url> <body file>}. Prints the status code on standard
 * output and writes the response body to the file; exits with status 2 when no response arrived.
 */
public final class NamespaceHttp {
    private NamespaceHttp() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: NamespaceHttp GET|POST <url> <body file>");
            System.exit(64);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(args[1])).timeout(Duration.ofSeconds(20));
        if ("POST".equals(args[0])) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.GET();
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Files.write(Path.of(args[2]), response.body());
            System.out.println(response.statusCode());
        } catch (java.io.IOException e) {
            System.err.println("no response from " + args[1] + ": " + e);
            System.exit(2);
        }
    }
}
