package io.contop.host.itests.security;

import io.contop.host.itests.support.ExternalCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small tmpfs mounted on a new temporary directory, for a daemon data directory that can fill up
 * or turn read-only. Requires root (CAP_SYS_ADMIN). {@link #close()} unmounts it.
 */
final class TmpfsMount implements AutoCloseable {
    private final Path directory;

    /** Mounts a tmpfs of {@code size} (a mount option value such as {@code 2m}) with mode 0700. */
    TmpfsMount(String size) {
        try {
            directory = Files.createTempDirectory("contop-tmpfs-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExternalCommand.runOrFail("mount tmpfs", List.of("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700",
                "tmpfs", directory.toString()));
    }

    Path directory() {
        return directory;
    }

    /** Remounts read-only; root's writes fail too, unlike with file permissions. */
    void remountReadOnly() {
        ExternalCommand.runOrFail("remount read-only", List.of("mount", "-o", "remount,ro", directory.toString()));
    }

    void remountReadWrite() {
        ExternalCommand.runOrFail("remount read-write", List.of("mount", "-o", "remount,rw", directory.toString()));
    }

    @Override
    public void close() {
        ExternalCommand.runOrFail("umount", List.of("umount", "-l", directory.toString()));
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // A leftover empty directory in /tmp is harmless.
        }
    }
}
