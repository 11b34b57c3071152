package io.contop.host.itests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.contop.host.itests.support.DaemonProcess;
import io.contop.host.itests.support.ExternalCommand;
import io.contop.host.itests.support.OfferSdp;
import io.contop.host.itests.support.PairingQr;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Load on one daemon: many signaling sockets offering at once, each of which must get its answer,
 * and many pair and revoke cycles, none of which may fail. Afterwards the daemon's threads (not
 * counting Jetty's request pool, which is capped and shrinks slowly), file descriptors and heap
 * (after a full GC) must be back near their level before the load.
 *
 * <p>The default build runs a short version ({@value #DEFAULT_SOCKETS} sockets,
 * {@value #DEFAULT_CYCLES} cycles); {@code mvn verify -Pload} runs 200 sockets and 1000 cycles
 * through the system properties {@code contop.load.sockets} and {@code contop.load.cycles}.
 */
class LoadIT {
    private static final int DEFAULT_SOCKETS = 20;
    private static final int DEFAULT_CYCLES = 20;
    private static final int SOCKETS = Integer.getInteger("contop.load.sockets", DEFAULT_SOCKETS);
    private static final int CYCLES = Integer.getInteger("contop.load.cycles", DEFAULT_CYCLES);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Allowed growth over the baseline once the load is over. */
    private static final int THREAD_SLACK = 8;
    private static final int FD_SLACK = 16;
    private static final long HEAP_SLACK_BYTES = 24L * 1024 * 1024;

    @Test
    void concurrentOffersAllAnswered() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start()) {
            String offer = OfferSdp.get();
            warmUp(daemon, offer);
            Usage before = Usage.of(daemon);

            List<String[]> pairings = pairAll(daemon, SOCKETS);
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(SOCKETS, 64));
            List<RawWebSocket> sockets = new ArrayList<>();
            long start = System.nanoTime();
            try {
                List<Future<Long>> answers = new ArrayList<>();
                for (String[] pairing : pairings) {
                    RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + pairing[0], Map.of());
                    sockets.add(socket);
                    answers.add(pool.submit(() -> offerAndAwaitAnswer(socket, offer, pairing[1])));
                }
                long slowestNanos = 0;
                for (Future<Long> answer : answers) {
                    slowestNanos = Math.max(slowestNanos, answer.get(120, TimeUnit.SECONDS));
                }
                System.out.printf(Locale.ROOT, "LoadIT: %d concurrent offers answered in %d ms (slowest answer %d ms)%n",
                        SOCKETS, Duration.ofNanos(System.nanoTime() - start).toMillis(), slowestNanos / 1_000_000);
            } finally {
                pool.shutdownNow();
                sockets.forEach(RawWebSocket::close);
            }
            for (int i = 0; i < pairings.size(); i++) {
                assertEquals(200, daemon.delete("/api/pair?device_id=load-" + i).statusCode());
            }
            assertBackNearBaseline(daemon, before);
        }
    }

    @Test
    void pairRevokeCyclesLeaveNothingBehind() throws Exception {
        try (DaemonProcess daemon = DaemonProcess.start()) {
            warmUp(daemon, OfferSdp.get());
            Usage before = Usage.of(daemon);
            long start = System.nanoTime();
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                String type = cycle % 2 == 0 ? "permanent" : "temp";
                HttpResponse<byte[]> paired = daemon.post("/api/pair?device_id=cycle&connection_type=" + type);
                assertEquals(200, paired.statusCode(), "cycle " + cycle + ": " + new String(paired.body()));
                HttpResponse<byte[]> revoked = daemon.delete("/api/pair?device_id=cycle");
                assertEquals(200, revoked.statusCode(), "cycle " + cycle);
                assertTrue(JSON.readTree(revoked.body()).get("revoked").asBoolean(), "cycle " + cycle);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf(Locale.ROOT, "LoadIT: %d pair and revoke cycles in %d s (%.1f cycles/s)%n", CYCLES,
                    elapsed.toSeconds(), CYCLES / Math.max(0.001, elapsed.toMillis() / 1000.0));
            JsonNode stored = JSON.readTree(Files.readAllBytes(daemon.dataDirectory().resolve("tokens.json")));
            assertEquals(1, stored.get("tokens").size(), "only the warm-up token is stored: " + stored.get("tokens").size());
            assertBackNearBaseline(daemon, before);
        }
    }

    /** Pairs, offers and revokes once, so that lazily started threads and pools exist before the baseline. */
    private static void warmUp(DaemonProcess daemon, String offer) throws Exception {
        JsonNode warm = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "device_id=warm-up"));
        try (RawWebSocket socket = RawWebSocket.open(daemon.port(), "/ws/signaling?token=" + warm.get("t").asText(), Map.of())) {
            offerAndAwaitAnswer(socket, offer, warm.get("d").asText());
        }
        JsonNode again = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, "device_id=warm-up-2&connection_type=temp"));
        assertEquals(200, daemon.delete("/api/pair?device_id=warm-up-2").statusCode(), again.toString());
    }

    /** Pairs {@code count} temp devices, four requests at a time; returns token and fingerprint of each. */
    private static List<String[]> pairAll(DaemonProcess daemon, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String[]>> pairings = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String query = "device_id=load-" + i + "&connection_type=temp";
                pairings.add(pool.submit(() -> {
                    JsonNode payload = PairingQr.decodePayload(SecurityChecks.pairPng(daemon, query));
                    return new String[] {payload.get("t").asText(), payload.get("d").asText()};
                }));
            }
            List<String[]> result = new ArrayList<>();
            for (Future<String[]> pairing : pairings) {
                result.add(pairing.get(300, TimeUnit.SECONDS));
            }
            return result;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends the offer and waits for the answer; returns the time it took in nanoseconds. */
    private static long offerAndAwaitAnswer(RawWebSocket socket, String offer, String fingerprint) throws Exception {
        assertEquals(101, socket.handshakeStatus());
        long start = System.nanoTime();
        socket.sendText("{\"type\":\"offer\",\"sdp\":" + JSON.writeValueAsString(offer) + "}");
        long deadline = start + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            String text = socket.nextText(Duration.ofMillis(250));
            if (text == null) {
                continue;
            }
            JsonNode message = JSON.readTree(text);
            if ("answer".equals(message.path("type").asText())) {
                assertEquals(List.of(fingerprint), OfferSdp.sha256Fingerprints(message.get("sdp").asText()).stream()
                        .distinct().toList());
                return System.nanoTime() - start;
            }
            if ("error".equals(message.path("type").asText())) {
                fail("error instead of an answer: " + message.path("message").asText());
            }
        }
        fail("no answer within 90 s");
        return -1;
    }

    private static void assertBackNearBaseline(DaemonProcess daemon, Usage before) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Usage after = Usage.of(daemon);
        while (!after.isNear(before) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            after = Usage.of(daemon);
        }
        System.out.println("LoadIT: before " + before + ", after " + after);
        String threadNames = threadNames(daemon);
        assertTrue(after.threadsOutsidePool() <= before.threadsOutsidePool() + THREAD_SLACK, "threads " + before + " -> " + after
                + "; Java threads by name: " + threadNames);
        assertTrue(after.fileDescriptors() <= before.fileDescriptors() + FD_SLACK, "fds " + before + " -> " + after);
        assertTrue(after.heapBytes() <= before.heapBytes() + HEAP_SLACK_BYTES, "heap " + before + " -> " + after);
        assertEquals(200, daemon.get("/health").statusCode());
    }

    /** Returns the daemon's Java threads counted by name, digits dropped, from {@code jcmd Thread.print}. */
    private static String threadNames(DaemonProcess daemon) {
        String dump = ExternalCommand.runOrFail("jcmd Thread.print", List.of("jcmd", Long.toString(daemon.pid()),
                "Thread.print"));
        java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
        Matcher thread = Pattern.compile("(?m)^\"([^\"]*)\"").matcher(dump);
        while (thread.find()) {
            counts.merge(thread.group(1).replaceAll("\\d+", "#"), 1, Integer::sum);
        }
        return counts.toString();
    }

    /**
     * The daemon's resource use: threads and open file descriptors from {@code /proc}, and the
     * heap in use right after a full GC requested with {@code jcmd}.
     */
    record Usage(int threads, int httpPoolThreads, int fileDescriptors, long heapBytes, long residentKib) {
        private static final Pattern USED = Pattern.compile("used (\\d+)K");
        /** Worker threads of Jetty's request pool, which the transport caps at 64 and which shrinks back slowly when idle. */
        private static final Pattern HTTP_WORKER = Pattern.compile("(?m)^\"contop-http-\\d+\"");

        static Usage of(DaemonProcess daemon) throws IOException {
            String pid = Long.toString(daemon.pid());
            ExternalCommand.runOrFail("jcmd GC.run", List.of("jcmd", pid, "GC.run"));
            String heapInfo = ExternalCommand.runOrFail("jcmd GC.heap_info", List.of("jcmd", pid, "GC.heap_info"));
            long heapKib = 0;
            for (String line : heapInfo.split("\n")) {
                // Generations only; the metaspace lines also say "used".
                if (line.contains("generation")) {
                    Matcher used = USED.matcher(line);
                    if (used.find()) {
                        heapKib += Long.parseLong(used.group(1));
                    }
                }
            }
            String status = Files.readString(Path.of("/proc", pid, "status"));
            int fds;
            try (Stream<Path> entries = Files.list(Path.of("/proc", pid, "fd"))) {
                fds = (int) entries.count();
            }
            String threadDump = ExternalCommand.runOrFail("jcmd Thread.print", List.of("jcmd", pid, "Thread.print"));
            int httpWorkers = (int) HTTP_WORKER.matcher(threadDump).results().count();
            return new Usage(field(status, "Threads"), httpWorkers, fds, heapKib * 1024, field(status, "VmRSS"));
        }

        /** Returns the threads outside Jetty's request pool, native ones included. */
        int threadsOutsidePool() {
            return threads - httpPoolThreads;
        }

        boolean isNear(Usage baseline) {
            return threadsOutsidePool() <= baseline.threadsOutsidePool() + THREAD_SLACK
                    && fileDescriptors <= baseline.fileDescriptors + FD_SLACK
                    && heapBytes <= baseline.heapBytes + HEAP_SLACK_BYTES;
        }

        private static int field(String status, String name) {
            Matcher value = Pattern.compile("(?m)^" + name + ":\\s+(\\d+)").matcher(status);
            if (!value.find()) {
                throw new IllegalStateException("no " + name + " in /proc status");
            }
            return Integer.parseInt(value.group(1));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d threads (%d of them in Jetty's request pool), %d fds, %.1f MiB heap "
                    + "after GC, %.1f MiB resident", threads, httpPoolThreads, fileDescriptors, heapBytes / 1048576.0,
                    residentKib / 1024.0);
        }
    }
}
