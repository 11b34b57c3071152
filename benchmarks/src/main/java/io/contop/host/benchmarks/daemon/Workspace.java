package io.contop.host.benchmarks.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The run's working directory with a private copy of the built distribution. The daemons run from
 * the copy, so a rebuild of {@code distribution/target/contop-host} during a run (other builds may
 * share the machine) cannot change the bundles under a running daemon.
 */
public final class Workspace implements AutoCloseable {
    private final Path root;
    private final Path distribution;

    private Workspace(Path root, Path distribution) {
        this.root = root;
        this.distribution = distribution;
    }

    /** Empties {@code root} and copies {@code builtDistribution} into it. */
    public static Workspace create(Path root, Path builtDistribution) throws IOException {
        deleteRecursively(root);
        Files.createDirectories(root);
        Path copy = root.resolve("contop-host");
        copyRecursively(builtDistribution, copy);
        if (!Files.isExecutable(copy.resolve("bin").resolve("contop-host"))) {
            throw new IllegalStateException("The copied distribution has no executable bin/contop-host: " + copy);
        }
        return new Workspace(root.toAbsolutePath(), copy.toAbsolutePath());
    }

    public Path root() {
        return root;
    }

    /** Returns the private copy of the distribution. */
    public Path distribution() {
        return distribution;
    }

    /** Returns a new, empty directory under the root, named {@code prefix} and a number. */
    public Path newDirectory(String prefix) throws IOException {
        for (int i = 1; ; i++) {
            Path candidate = root.resolve(prefix + "-" + i);
            if (!Files.exists(candidate)) {
                return Files.createDirectories(candidate);
            }
        }
    }

    /** Deletes the working directory, daemon logs included. */
    @Override
    public void close() {
        try {
            deleteRecursively(root);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + root, e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    private static void copyRecursively(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path destination = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(file, destination, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
