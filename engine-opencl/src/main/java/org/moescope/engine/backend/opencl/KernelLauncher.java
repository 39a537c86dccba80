package org.moescope.engine.backend.opencl;

import java.util.List;
import org.jocl.cl_kernel;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;

/**
 * What kernel families need to run: the runtime (context, queue), the program cache, the tuning constants and the
 * timing window. {@link #launch} starts a {@link Launch}; {@link #buffer} and the checks validate parameters.
 */
public final class KernelLauncher {
    private final ClRuntime runtime;
    private final ProgramCache programs;
    private final DeviceTuning tuning;
    private final String tuningDefines;   // formatted once: launches are per stage, formatting is not free
    private final EventTimer timer;

    public KernelLauncher(ClRuntime runtime, ProgramCache programs, DeviceTuning tuning, EventTimer timer) {
        this.runtime = runtime;
        this.programs = programs;
        this.tuning = tuning;
        this.tuningDefines = tuning.defines();
        this.timer = timer;
    }

    public ClRuntime runtime() {
        return runtime;
    }

    public ProgramCache programs() {
        return programs;
    }

    public DeviceTuning tuning() {
        return tuning;
    }

    public EventTimer timer() {
        return timer;
    }

    /**
     * Starts a launch of kernel {@code kernelName} from the program made of {@code kernels/<file>.cl} for each of
     * {@code files} in order (headers first), built with exactly {@code options}.
     */
    public Launch launch(List<String> files, String kernelName, String options) {
        cl_kernel kernel = programs.kernel(files, kernelName, options);
        return new Launch(this, kernel, kernelName);
    }

    /**
     * Starts a launch of a dense kernel family: {@code kernels/common.cl} + {@code kernels/quant.cl} (the quantized
     * weights' loads, empty for other types) + {@code kernels/<family>.cl}, built with the tuning defines
     * ({@link DeviceTuning#defines()}) plus {@code options} (e.g. {@link #weightDefine}).
     */
    public Launch launch(String family, String kernelName, String options) {
        return launch(List.of("common", "quant", family), kernelName,
                options.isEmpty() ? tuningDefines : tuningDefines + " " + options.trim());
    }

    /** The {@code -D} define selecting how a kernel loads a weight of {@code dtype} (see kernels/common.cl). */
    public static String weightDefine(DType dtype) {
        return switch (dtype) {
            case F32 -> "-DW_F32";
            case F16 -> "-DW_F16";
            case BF16 -> "-DW_BF16";
            case I32 -> throw new IllegalArgumentException("I32 is not a weight type");
            default -> "-DW_" + dtype.name();
        };
    }

    // ---------------------------------------------------------------- argument checks

    /** The ClBuffer of a parameter, checking dtype and that it holds at least {@code minLength} elements. */
    public ClBuffer buffer(DeviceBuffer b, String param, DType dtype, long minLength) {
        ClBuffer cb = ClBuffer.of(b, param, runtime);
        if (cb.dtype() != dtype) {
            throw new IllegalArgumentException(param + " ('" + cb.name() + "') must be " + dtype + ", is " + cb.dtype());
        }
        return requireLength(cb, param, minLength);
    }

    /** A float weight parameter (norms, caches): F32, F16 or BF16 with at least {@code minLength} elements. */
    public ClBuffer weight(DeviceBuffer b, String param, long minLength) {
        ClBuffer cb = ClBuffer.of(b, param, runtime);
        if (cb.dtype() == DType.I32 || cb.dtype().isQuantized()) {
            throw new IllegalArgumentException(param + " ('" + cb.name() + "') must be F32, F16 or BF16, is "
                    + cb.dtype());
        }
        return requireLength(cb, param, minLength);
    }

    /**
     * A weight matrix parameter of any weight type with at least {@code minLength} elements, read in rows of
     * {@code rowLength} elements: a quantized weight's rows must be whole blocks (0: no row check).
     */
    public ClBuffer weight(DeviceBuffer b, String param, long minLength, int rowLength) {
        ClBuffer cb = ClBuffer.of(b, param, runtime);
        if (!cb.dtype().isWeightType()) {
            throw new IllegalArgumentException(param + " ('" + cb.name() + "') must be F32, F16 or BF16 or a quantized"
                    + " type, is " + cb.dtype());
        }
        int block = cb.dtype().blockElements();
        if (rowLength % block != 0) {
            throw new IllegalArgumentException(param + " ('" + cb.name() + "') is " + cb.dtype() + ": its rows of "
                    + rowLength + " elements must be a whole number of blocks of " + block);
        }
        return requireLength(cb, param, minLength);
    }

    private static ClBuffer requireLength(ClBuffer cb, String param, long minLength) {
        if (cb.length() < minLength) {
            throw new IllegalArgumentException(param + " ('" + cb.name() + "') has " + cb.length()
                    + " elements, needs at least " + minLength);
        }
        return cb;
    }

    public static void positive(int value, String param) {
        if (value <= 0) {
            throw new IllegalArgumentException(param + " must be > 0, got " + value);
        }
    }

    public static void nonNegative(long value, String param) {
        if (value < 0) {
            throw new IllegalArgumentException(param + " must be >= 0, got " + value);
        }
    }

    /** Turns a failed enqueue into an exception, a {@link DeviceMemoryException} when the device ran out of memory. */
    RuntimeException failure(String operation, int code) {
        ClException e = new ClException(operation, code);
        if (e.isOutOfMemory()) {
            DeviceMemoryException oom = new DeviceMemoryException(operation, 0, e.getMessage());
            oom.initCause(e);
            return oom;
        }
        return e;
    }
}
