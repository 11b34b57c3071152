package io.contop.host.path.tunnel.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds cloudflared processes and private directories left behind by a daemon that was killed
 * (SIGKILL or a crash) before it could stop its tunnel, and removes them.
 *
 * <p>A leftover tunnel still forwards its public URL to a loopback port, and a later daemon's
 * tunnel listener may get that same port, so the old URL would reach it. Each private directory is
 * named {@code contop-cloudflared-<daemon pid>-<random>}, and cloudflared gets
 * {@code --config <that directory>/config.yml}. A process or directory whose daemon no longer
 * runs is a leftover. When that pid has been reused by another process, the leftover is kept.
 */
final class LeftoverTunnels {
    static final String DIRECTORY_PREFIX = "contop-cloudflared-";
    private static final Pattern OWNED_CONFIG =
            Pattern.compile(".*/" + DIRECTORY_PREFIX + "(\\d+)-[^/]*/config\\.yml");
    private static final Pattern OWNED_DIRECTORY = Pattern.compile(DIRECTORY_PREFIX + "(\\d+)-.*");
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverTunnels.class);

    private LeftoverTunnels() {
    }

    /** Returns the prefix for the private directory of a daemon with process id {@code ownerPid}. */
    static String directoryPrefix(long ownerPid) {
        return DIRECTORY_PREFIX + ownerPid + "-";
    }

    /**
     * Kills, with their descendants, the processes of the current user that run with a
     * {@code --config} inside a private directory of a daemon that no longer runs.
     *
     * @return the number of processes killed
     */
    static int stopProcesses() {
        Optional<String> user = ProcessHandle.current().info().user();
        int stopped = 0;
        List<ProcessHandle> candidates;
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            candidates = all.filter(process -> user.isPresent() && user.equals(process.info().user())).toList();
        }
        for (ProcessHandle process : candidates) {
            OptionalLong owner = configOwner(process.info().arguments().orElse(new String[0]));
            if (owner.isEmpty() || isRunning(owner.getAsLong())) {
                continue;
            }
            List<ProcessHandle> descendants = process.descendants().toList();
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            stopped++;
            LOG.warn("Stopped cloudflared (pid {}) left behind by daemon pid {}, which no longer runs",
                    process.pid(), owner.getAsLong());
        }
        return stopped;
    }

    /** Deletes the private directories in {@code temporaryDirectory} whose daemon no longer runs. */
    static void deleteDirectories(Path temporaryDirectory) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(temporaryDirectory, DIRECTORY_PREFIX + "*")) {
            for (Path entry : entries) {
                Matcher matcher = OWNED_DIRECTORY.matcher(entry.getFileName().toString());
                if (matcher.matches() && !isRunning(Long.parseLong(matcher.group(1))) && Files.isDirectory(entry)) {
                    deleteRecursively(entry);
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("Looking for leftover cloudflared directories in {} failed: {}", temporaryDirectory, e.toString());
        }
    }

    /** Returns the daemon pid named by the {@code --config} argument, if it points into a private directory. */
    static OptionalLong configOwner(String[] arguments) {
        for (int i = 0; i + 1 < arguments.length; i++) {
            if ("--config".equals(arguments[i])) {
                Matcher matcher = OWNED_CONFIG.matcher(arguments[i + 1]);
                if (matcher.matches()) {
                    try {
                        return OptionalLong.of(Long.parseLong(matcher.group(1)));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
            }
        }
        return OptionalLong.empty();
    }

    private static boolean isRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            LOG.debug("Deleting {} failed: {}", root, e.toString());
        }
    }
}
