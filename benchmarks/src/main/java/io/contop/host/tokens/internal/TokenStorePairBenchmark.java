package io.contop.host.tokens.internal;

import io.contop.host.api.ConnectionType;
import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.PairingToken;
import io.contop.host.benchmarks.fixture.Configs;
import io.contop.host.benchmarks.fixture.TokenFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link PairingTokenStore#pair} of a new permanent device, which completes once {@code tokens.json}
 * is saved, in a store of {@code storedTokens} permanent tokens. The certificate comes from a
 * provider that returns a ready one, so the figure is the store's own cost. Each iteration starts
 * from a fresh copy of the generated file, so the store grows only by the devices one iteration pairs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenStorePairBenchmark {
    @Param({"1", "10000"})
    public int storedTokens;

    private Path directory;
    private Path pristine;
    private DtlsIdentityProvider identities;
    private PairingTokenStore store;
    private long devices;

    @Setup(Level.Trial)
    public void writeFixture() throws IOException {
        directory = Files.createTempDirectory("contop-benchmark-pair-");
        DtlsIdentity identity = TokenFixture.issueSharedIdentity();
        TokenFixture.write(directory.resolve("fixture"), storedTokens, identity);
        pristine = directory.resolve("fixture").resolve("tokens.json");
        DtlsIdentityProvider restoring = TokenFixture.restoringProvider();
        identities = new DtlsIdentityProvider() {
            @Override
            public CompletionStage<DtlsIdentity> issue() {
                return CompletableFuture.completedFuture(identity);
            }

            @Override
            public DtlsIdentity restore(String certificatePem, String privateKeyPem) {
                return restoring.restore(certificatePem, privateKeyPem);
            }
        };
    }

    @Setup(Level.Iteration)
    public void loadStore() throws IOException {
        Path data = directory.resolve("data-" + System.nanoTime());
        Files.createDirectories(data);
        Files.copy(pristine, data.resolve("tokens.json"), StandardCopyOption.COPY_ATTRIBUTES);
        store = new PairingTokenStore(identities, Configs.of(PairingTokenStore.Config.class,
                Map.of("data_dir", data.toString())));
    }

    @TearDown(Level.Iteration)
    public void closeStore() throws InterruptedException {
        store.deactivate();
    }

    @TearDown(Level.Trial)
    public void deleteFiles() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public PairingToken pairNewDevice() {
        return store.pair("benchmark-device-" + devices++, ConnectionType.PERMANENT).toCompletableFuture().join();
    }
}
