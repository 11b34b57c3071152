package io.contop.host.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Facts about the machine that the results depend on: cores, CPU, memory, kernel and JVM. */
public record MachineInfo(int cores, String cpuModel, long memoryKiB, String kernel, String java) {

    public static MachineInfo collect() {
        return new MachineInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemoryKiB(),
                firstLine(Path.of("/proc/sys/kernel/osrelease"), "unknown kernel"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    /** Returns the 1-minute load average, or -1 when {@code /proc/loadavg} cannot be read. */
    public static double loadAverage() {
        String line = firstLine(Path.of("/proc/loadavg"), "");
        try {
            return Double.parseDouble(line.split(" ")[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        }
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d cores (%s), %.1f GiB RAM, Linux %s, %s", cores, cpuModel,
                memoryKiB / 1024.0 / 1024.0, kernel, java);
    }

    private static String readCpuModel() {
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).strip();
            }
        }
        return "unknown CPU";
    }

    private static long readMemoryKiB() {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static String firstLine(Path file, String fallback) {
        List<String> lines = lines(file);
        return lines.isEmpty() ? fallback : lines.get(0).strip();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
