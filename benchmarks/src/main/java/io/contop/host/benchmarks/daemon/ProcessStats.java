package io.contop.host.benchmarks.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A process's resident memory, thread count and open file descriptors, read from
 * {@code /proc/<pid>/status} ({@code VmRSS}, {@code Threads}) and {@code /proc/<pid>/fd}.
 */
public record ProcessStats(long rssKiB, int threads, int fileDescriptors) {

    public static ProcessStats read(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            List<String> status = Files.readAllLines(proc.resolve("status"));
            long rss = field(status, "VmRSS:");
            int threads = (int) field(status, "Threads:");
            int descriptors;
            try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                descriptors = (int) fds.count();
            }
            return new ProcessStats(rss, threads, descriptors);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + proc + " (has the daemon exited?)", e);
        }
    }

    private static long field(List<String> status, String name) {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("/proc status has no " + name + " line");
    }
}
