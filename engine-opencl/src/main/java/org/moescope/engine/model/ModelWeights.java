package org.moescope.engine.model;

import java.util.List;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * All device weights of a model.
 *
 * @param embed     {@code [vocab, hidden]} token embedding
 * @param layers    one per decoder layer
 * @param finalNorm {@code [hidden]} model.norm
 * @param lmHead    {@code [vocab, hidden]}; the same buffer as {@code embed} when embeddings are tied
 * @param owned     every buffer exactly once (what {@link #close()} releases)
 */
public record ModelWeights(DeviceBuffer embed, List<LayerWeights> layers, DeviceBuffer finalNorm, DeviceBuffer lmHead,
                           List<DeviceBuffer> owned) implements AutoCloseable {

    public ModelWeights {
        layers = List.copyOf(layers);
        owned = List.copyOf(owned);
    }

    /** Device bytes of all weights. */
    public long bytes() {
        long n = 0;
        for (DeviceBuffer b : owned) {
            n += b.bytes();
        }
        return n;
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
    }
}
