package org.moescope.app.export;

import java.io.IOException;
import java.nio.IntBuffer;
import java.nio.file.Path;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;

/** Saves what a node shows as PNG (FX thread only): JavaFX snapshot → ARGB pixels → {@link PngEncoder}. */
public final class PngSnapshot {

    private PngSnapshot() {
    }

    /** The node's pixels as ARGB, row-major; {@code size[0]} = width, {@code size[1]} = height on return. */
    public static int[] pixels(Node node, int[] size) {
        WritableImage image = node.snapshot(new SnapshotParameters(), null);
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("node has nothing to snapshot: size " + w + " x " + h);
        }
        int[] argb = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), IntBuffer.wrap(argb), w);
        size[0] = w;
        size[1] = h;
        return argb;
    }

    /** Writes {@code node} as a PNG file. */
    public static void write(Node node, Path file) throws IOException {
        int[] size = new int[2];
        int[] argb = pixels(node, size);
        AtomicFileWriter.write(file, out -> PngEncoder.write(argb, size[0], size[1], out));
    }
}
