package io.contop.host.benchmarks.daemon;

import io.contop.host.itests.support.ExternalCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's Java heap, read with the JDK's {@code jcmd}: {@code GC.run} for a full collection,
 * then {@code GC.heap_info}. When {@code VmRSS} grows while the heap after a collection stays flat,
 * the growth is memory held outside the Java heap, such as by webrtc-java's native code.
 */
public final class JavaHeap {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A heap or generation line of {@code GC.heap_info}, such as {@code tenured generation total 2048K, used 1024K}. */
    private static final Pattern USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");

    private JavaHeap() {
    }

    /**
     * Runs a full collection in process {@code pid} and returns the heap in use after it, in KiB.
     *
     * @throws IllegalStateException when {@code jcmd} fails or prints no heap figures
     */
    public static long usedAfterFullGcKiB(long pid) {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long used = 0;
        Matcher matcher = USED.matcher(info);
        boolean found = false;
        while (matcher.find()) {
            used += Long.parseLong(matcher.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("jcmd GC.heap_info printed no heap figures: " + info.strip());
        }
        return used;
    }

    private static String jcmd(long pid, String command) {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        ExternalCommand.Result result = ExternalCommand.run(TIMEOUT, List.of(jcmd, Long.toString(pid), command));
        if (!result.succeeded()) {
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed (exit " + result.exitCode() + "): "
                    + result.stderr().strip() + result.stdout().strip());
        }
        return result.stdout();
    }
}
