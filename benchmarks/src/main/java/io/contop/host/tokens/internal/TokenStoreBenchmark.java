package io.contop.host.tokens.internal;

import io.contop.host.api.DtlsIdentity;
import io.contop.host.api.PairingToken;
import io.contop.host.benchmarks.fixture.Configs;
import io.contop.host.benchmarks.fixture.TokenFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * Token validation, as the signaling upgrade calls it, in a store loaded from a {@code tokens.json}
 * of {@code storedTokens} permanent tokens (see {@link TokenFixture}). In this package to stop the
 * store's threads after the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TokenStoreBenchmark {
    @Param({"1", "10000"})
    public int storedTokens;

    private Path directory;
    private PairingTokenStore store;
    private String storedToken;
    private String unknownToken;

    @Setup(Level.Trial)
    public void load() throws IOException {
        directory = Files.createTempDirectory("contop-benchmark-tokens-");
        DtlsIdentity identity = TokenFixture.issueSharedIdentity();
        List<String> tokens = TokenFixture.write(directory.resolve("data"), storedTokens, identity);
        store = new PairingTokenStore(TokenFixture.restoringProvider(), Configs.of(PairingTokenStore.Config.class,
                Map.of("data_dir", directory.resolve("data").toString())));
        if (store.tokens().size() != storedTokens) {
            throw new IllegalStateException("the store loaded " + store.tokens().size() + " tokens, expected "
                    + storedTokens);
        }
        storedToken = tokens.get(tokens.size() / 2);
        unknownToken = UUID.randomUUID().toString();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        store.deactivate();
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    @Benchmark
    public Optional<PairingToken> validateStored() {
        return store.validate(storedToken);
    }

    @Benchmark
    public Optional<PairingToken> validateUnknown() {
        return store.validate(unknownToken);
    }
}
