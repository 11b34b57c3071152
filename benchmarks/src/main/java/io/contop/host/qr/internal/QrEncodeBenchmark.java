package io.contop.host.qr.internal;

import io.contop.host.api.QrImage;
import io.contop.host.api.QrPayload;
import io.contop.host.benchmarks.fixture.LargestPayload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The QR encoder on the largest pairing payload: the whole {@link ZxingQrEncoder#encode} (JSON,
 * ZXing matrix, PNG), and the PNG writer alone. In this package because {@link PngWriter} is
 * package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QrEncodeBenchmark {
    private final ZxingQrEncoder encoder = new ZxingQrEncoder();
    private QrPayload payload;
    private boolean[][] modules;

    @Setup
    public void setUp() {
        payload = LargestPayload.build();
        QrImage image = encoder.encode(payload);
        if (image.payloadJson().length() != LargestPayload.JSON_LENGTH) {
            throw new IllegalStateException("the largest payload has " + image.payloadJson().length()
                    + " characters, expected " + LargestPayload.JSON_LENGTH);
        }
        modules = image.modules();
    }

    @Benchmark
    public QrImage encodeLargestPayload() {
        return encoder.encode(payload);
    }

    @Benchmark
    public byte[] writePng() {
        return PngWriter.write(modules, ZxingQrEncoder.QUIET_ZONE_MODULES, ZxingQrEncoder.PIXELS_PER_MODULE);
    }
}
