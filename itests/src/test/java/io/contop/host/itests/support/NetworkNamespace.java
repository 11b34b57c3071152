package io.contop.host.itests.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Linux network namespace joined to the root namespace by a veth pair, in which a test runs a
 * phone.
 *
 * <p>For subnet index N the root side of the pair is {@code 10.77.N.1/24} and the namespace side
 * is {@code 10.77.N.2/24}. Loopback is up inside the namespace, and the namespace has no default
 * route, so a phone inside it can reach only the root side's address and nothing beyond it. The
 * daemon under test listens in the root namespace and is reached at {@link #hostAddress()}.
 *
 * <p>The constructor claims a free N by creating the veth pair, which the kernel rejects when the
 * interface names already exist, so test classes in parallel JVMs never share a subnet. It also
 * skips any N whose {@code 10.77.N.0/24} addresses are already in use in the root namespace.
 *
 * <p>Requires root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and {@code ip} from iproute2. Instances are
 * thread-safe, and {@link #close()} may be called any number of times.
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger NAME_COUNTER = new AtomicInteger();
    private static final AtomicInteger NEXT_SUBNET = new AtomicInteger(
            (int) (ProcessHandle.current().pid() % 254) + 1);

    private final String name;
    private final int subnet;
    private final String rootInterface;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Creates the namespace, the veth pair and the addresses.
     *
     * @throws IllegalStateException when an {@code ip} command fails, usually because the tests
     *     do not run as root (the message contains ip's standard error), or when all 254 subnets
     *     are taken. Whatever was created before the failure is removed again.
     */
    public NetworkNamespace() {
        this.name = "ctp" + ProcessHandle.current().pid() + "-" + NAME_COUNTER.incrementAndGet();
        ip("ip netns add", "netns", "add", name);
        try {
            this.subnet = claimSubnet();
            this.rootInterface = rootInterfaceName(subnet);
            configure(phoneInterfaceName(subnet));
        } catch (RuntimeException e) {
            deleteQuietly();
            throw e;
        }
    }

    /** Returns the namespace's name as {@code ip netns} lists it. */
    public String name() {
        return name;
    }

    /** Returns the root side's address {@code 10.77.N.1}, where a phone in the namespace finds the daemon. */
    public String hostAddress() {
        return "10.77." + subnet + ".1";
    }

    /** Returns the namespace side's address {@code 10.77.N.2}, the phone's only non-loopback address. */
    public String phoneAddress() {
        return "10.77." + subnet + ".2";
    }

    /**
     * Returns {@code argv} prefixed with {@code ip netns exec <name>}, ready for a
     * {@link ProcessBuilder}, so that the program runs inside this namespace.
     */
    public List<String> command(String... argv) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
        command.addAll(List.of(argv));
        return command;
    }

    /**
     * Deletes the veth pair and the namespace. Processes still running inside the namespace lose
     * their network. Safe to call more than once, because only the first call does anything.
     *
     * @throws IllegalStateException when {@code ip netns delete} fails
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Deleting the root end removes the pair at once, even while a process that is still
        // running keeps the namespace itself alive.
        ExternalCommand.run(COMMAND_TIMEOUT, List.of("ip", "link", "delete", rootInterface));
        ip("ip netns delete", "netns", "delete", name);
    }

    @Override
    public String toString() {
        return "NetworkNamespace[" + name + ", " + hostAddress() + " <-> " + phoneAddress() + "]";
    }

    private int claimSubnet() {
        String rootAddresses = ip("ip -o addr show", "-o", "-4", "addr", "show");
        for (int attempt = 0; attempt < 254; attempt++) {
            int candidate = Math.floorMod(NEXT_SUBNET.getAndIncrement() - 1, 254) + 1;
            if (rootAddresses.contains(" 10.77." + candidate + ".")) {
                continue;
            }
            ExternalCommand.Result result = ExternalCommand.run(COMMAND_TIMEOUT, List.of("ip", "link", "add",
                    rootInterfaceName(candidate), "type", "veth", "peer", "name", phoneInterfaceName(candidate)));
            if (result.succeeded()) {
                return candidate;
            }
            if (!result.stderr().contains("File exists")) {
                throw failure("ip link add", result);
            }
        }
        throw new IllegalStateException("No free subnet 10.77.N.0/24 for a test network namespace: "
                + "all 254 are in use; delete stale namespaces with 'ip netns list' and 'ip netns delete'");
    }

    private void configure(String phoneInterface) {
        ip("ip link set netns", "link", "set", phoneInterface, "netns", name);
        ip("ip addr add (root side)", "addr", "add", hostAddress() + "/24", "dev", rootInterface);
        ip("ip link set up (root side)", "link", "set", rootInterface, "up");
        ip("ip addr add (namespace side)", "-n", name, "addr", "add", phoneAddress() + "/24", "dev", phoneInterface);
        ip("ip link set up (namespace side)", "-n", name, "link", "set", phoneInterface, "up");
        ip("ip link set lo up", "-n", name, "link", "set", "lo", "up");
    }

    private void deleteQuietly() {
        closed.set(true);
        if (rootInterface != null) {
            ExternalCommand.run(COMMAND_TIMEOUT, List.of("ip", "link", "delete", rootInterface));
        }
        ExternalCommand.run(COMMAND_TIMEOUT, List.of("ip", "netns", "delete", name));
    }

    private static String ip(String what, String... arguments) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(arguments));
        ExternalCommand.Result result = ExternalCommand.run(COMMAND_TIMEOUT, argv);
        if (!result.succeeded()) {
            throw failure(what, result);
        }
        return result.stdout();
    }

    private static IllegalStateException failure(String what, ExternalCommand.Result result) {
        return new IllegalStateException(what + " failed: " + String.join(" ", result.argv()) + ": "
                + result.stderr().strip() + " (tests that create network namespaces must run as root)");
    }

    private static String rootInterfaceName(int subnet) {
        return "ctp" + subnet + "-root";
    }

    private static String phoneInterfaceName(int subnet) {
        return "ctp" + subnet + "-phone";
    }
}
