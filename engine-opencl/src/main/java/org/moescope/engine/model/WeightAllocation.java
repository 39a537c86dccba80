package org.moescope.engine.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.MemoryBudget;

/**
 * Allocates and fills the buffers of a {@link WeightLayout} in order, reporting progress by bytes.
 * All or nothing: on any failure, a cancel among them, every buffer allocated so far is closed before the exception
 * leaves.
 */
public final class WeightAllocation {

    private WeightAllocation() {
    }

    /** Fills buffer {@code index} of the layout, described by {@code spec}. */
    @FunctionalInterface
    public interface Filler {
        void fill(int index, WeightSpec spec, DeviceBuffer buffer);
    }

    public static ModelWeights build(Backend backend, ModelConfig config, List<WeightSpec> specs,
                              Function<WeightSpec, DType> dtypes, Filler filler, LoadProgress progress) {
        return build(backend, config, specs, dtypes, s -> false, (index, spec, dtype) -> {
            DeviceBuffer buffer = backend.allocate(spec.key(), dtype, spec.elements());
            try {
                filler.fill(index, spec, buffer);
                return buffer;
            } catch (RuntimeException | Error e) {
                buffer.close();
                throw e;
            }
        }, progress);
    }

    /** Makes buffer {@code index} of the layout (allocated and filled, or wrapping host bytes), or closes what it made. */
    @FunctionalInterface
    public interface Maker {
        DeviceBuffer make(int index, WeightSpec spec, DType dtype);
    }

    /**
     * As {@link #build(Backend, ModelConfig, List, Function, Filler, LoadProgress)}, each buffer made by {@code maker};
     * buffers for which {@code inHostMemory} holds (read in place from host pages) do not count against the device's
     * global memory.
     */
    public static ModelWeights build(Backend backend, ModelConfig config, List<WeightSpec> specs,
                                     Function<WeightSpec, DType> dtypes, Predicate<WeightSpec> inHostMemory,
                                     Maker maker, LoadProgress progress) {
        long total = 0;
        long onDevice = 0;
        for (WeightSpec s : specs) {
            long bytes = dtypes.apply(s).bytesOf(s.elements());
            total += bytes;
            onDevice += inHostMemory.test(s) ? 0 : bytes;
        }
        MemoryBudget budget = backend.device().memoryBudget();
        if (!budget.fits(onDevice)) {
            throw new EngineException(budget.refusal("the model's weights", onDevice));
        }
        budget.warning("the model's weights", onDevice).ifPresent(w -> System.err.println("MoEScope: " + w));
        Map<String, DeviceBuffer> buffers = new LinkedHashMap<>();
        long done = 0;
        try {
            for (int i = 0; i < specs.size(); i++) {
                WeightSpec s = specs.get(i);
                progress.stopIfCancelled();
                DeviceBuffer buffer = maker.make(i, s, dtypes.apply(s));
                buffers.put(s.key(), buffer);
                done += buffer.bytes();
                progress.progress(total == 0 ? 1 : (double) done / total, describe(s, config, done));
            }
            return WeightLayout.assemble(config, buffers);
        } catch (DeviceMemoryException e) {
            buffers.values().forEach(DeviceBuffer::close);
            throw new EngineException(e.getMessage() + String.format(Locale.ROOT,
                    " (the model's weights need %s in all, %s were loaded)", gib(total), gib(done)), e);
        } catch (RuntimeException | Error e) {
            buffers.values().forEach(DeviceBuffer::close);
            throw e;
        }
    }

    private static String describe(WeightSpec s, ModelConfig c, long doneBytes) {
        String where = s.layer() < 0 ? s.group() : "layer " + (s.layer() + 1) + "/" + c.numHiddenLayers() + ": " + s.group();
        return where + " (" + s.key() + ", " + gib(doneBytes) + " loaded)";
    }

    static String gib(long bytes) {
        return MemoryBudget.gib(bytes);
    }
}
