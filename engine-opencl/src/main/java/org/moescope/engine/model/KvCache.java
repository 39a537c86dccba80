package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * The keys and values of one sequence, every layer: {@code [capacity, kvHeads * headDim]} per layer, stored F32, F16
 * or BF16 (attention stores each new row rounded to that type and reads it back widened to F32).
 * {@link #length()} is the number of positions written so far (the next token's position).
 */
public final class KvCache implements AutoCloseable {

    private final int capacity;
    private final List<DeviceBuffer> keys;   // per layer [capacity, kvDim]
    private final List<DeviceBuffer> values; // per layer [capacity, kvDim]
    private int length;

    /** An F32 cache. */
    public KvCache(Backend backend, ModelConfig config, int capacity, String name) {
        this(backend, config, capacity, name, DType.F32);
    }

    public KvCache(Backend backend, ModelConfig config, int capacity, String name, DType dtype) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, got " + capacity);
        }
        requireCacheType(dtype);
        this.capacity = capacity;
        this.keys = new ArrayList<>();
        this.values = new ArrayList<>();
        long elements = (long) capacity * config.kvDim();
        try {
            for (int l = 0; l < config.numHiddenLayers(); l++) {
                keys.add(backend.allocate(name + ".layer" + l + ".k", dtype, elements));
                values.add(backend.allocate(name + ".layer" + l + ".v", dtype, elements));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Refuses a type a cache cannot be stored in (I32, null), naming the ones it can. */
    public static DType requireCacheType(DType dtype) {
        if (dtype == null || dtype == DType.I32) {
            throw new IllegalArgumentException("a KV cache is stored F32, F16 or BF16, not " + dtype);
        }
        return dtype;
    }

    public int capacity() {
        return capacity;
    }

    public int length() {
        return length;
    }

    /** Free positions left. */
    public int remaining() {
        return capacity - length;
    }

    public DeviceBuffer keys(int layer) {
        return keys.get(layer);
    }

    public DeviceBuffer values(int layer) {
        return values.get(layer);
    }

    /** Records that {@code tokens} more positions were written (after a forward pass). */
    void advance(int tokens) {
        if (tokens > remaining()) {
            throw new IllegalStateException("KV cache overflow: " + length + " + " + tokens + " > capacity " + capacity);
        }
        length += tokens;
    }

    /** Copies the first {@code positions} rows of every layer from {@code source} (sequences sharing a prompt). */
    public void copyFrom(Backend backend, KvCache source, int positions, int kvDim) {
        if (positions > capacity || positions > source.length) {
            throw new IllegalArgumentException("positions " + positions + " exceed the source length " + source.length
                    + " or capacity " + capacity);
        }
        long n = (long) positions * kvDim;
        for (int l = 0; l < keys.size(); l++) {
            backend.copy(source.keys.get(l), 0, keys.get(l), 0, n);
            backend.copy(source.values.get(l), 0, values.get(l), 0, n);
        }
        length = positions;
    }

    /** Forgets the sequence (keeps the memory). */
    public void clear() {
        length = 0;
    }

    @Override
    public void close() {
        keys.forEach(DeviceBuffer::close);
        values.forEach(DeviceBuffer::close);
        keys.clear();
        values.clear();
    }
}
