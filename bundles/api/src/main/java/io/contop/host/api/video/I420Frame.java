package io.contop.host.api.video;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One video frame in I420 (YUV 4:2:0 planar) layout: a full-resolution luma plane Y and two chroma
 * planes U and V of {@code ceil(width / 2)} by {@code ceil(height / 2)} samples. Row {@code r} of a
 * plane starts at byte {@code r * stride} of its buffer, counted from index 0 regardless of the
 * buffer's position.
 *
 * @param width the width in pixels, at least 1
 * @param height the height in pixels, at least 1
 * @param dataY the luma plane
 * @param strideY bytes from one luma row to the next, at least {@code width}
 * @param dataU the U chroma plane
 * @param strideU bytes from one U row to the next, at least {@code ceil(width / 2)}
 * @param dataV the V chroma plane
 * @param strideV bytes from one V row to the next, at least {@code ceil(width / 2)}
 * @param timestampNanos the capture time on the {@link System#nanoTime()} clock
 */
public record I420Frame(int width, int height, ByteBuffer dataY, int strideY, ByteBuffer dataU, int strideU,
        ByteBuffer dataV, int strideV, long timestampNanos) {

    /**
     * @throws IllegalArgumentException when a size or stride is too small, or a plane buffer's
     *     limit is smaller than its rows need
     */
    public I420Frame {
        Objects.requireNonNull(dataY, "dataY");
        Objects.requireNonNull(dataU, "dataU");
        Objects.requireNonNull(dataV, "dataV");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("frame size must be at least 1x1, was " + width + "x" + height);
        }
        checkPlane("Y", dataY, strideY, width, height);
        checkPlane("U", dataU, strideU, chromaWidth(width), chromaHeight(height));
        checkPlane("V", dataV, strideV, chromaWidth(width), chromaHeight(height));
    }

    /** Returns the width of the U and V planes for a frame {@code width} pixels wide. */
    public static int chromaWidth(int width) {
        return (width + 1) / 2;
    }

    /** Returns the height of the U and V planes for a frame {@code height} pixels high. */
    public static int chromaHeight(int height) {
        return (height + 1) / 2;
    }

    private static void checkPlane(String name, ByteBuffer plane, int stride, int planeWidth, int planeHeight) {
        if (stride < planeWidth) {
            throw new IllegalArgumentException("stride of plane " + name + " is " + stride
                    + ", less than its width " + planeWidth);
        }
        long needed = (long) stride * (planeHeight - 1) + planeWidth;
        if (plane.limit() < needed) {
            throw new IllegalArgumentException("plane " + name + " has " + plane.limit() + " bytes, needs "
                    + needed);
        }
    }
}
