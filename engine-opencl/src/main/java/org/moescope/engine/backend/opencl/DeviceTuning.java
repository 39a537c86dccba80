package org.moescope.engine.backend.opencl;

import java.util.Locale;

/**
 * Per-device kernel tuning constants, passed to every program as {@code -D} defines. Defaults come from the device
 * (GPU or CPU, maximum work-group size, local memory); each can be overridden by a system property
 * {@code moescope.cl.<name>} (e.g. {@code -Dmoescope.cl.GEMV_ROWS=8}).
 *
 * @param reduceSize  work-group size of row reductions (rmsNorm, attention, router, weighted sums); a power of two
 * @param gemvLocal   work-items per GEMV work-group; a power of two, multiple of gemvRows' lanes
 * @param gemvRows    output rows per GEMV work-group (the work-group splits into gemvRows lanes of gemvLocal/gemvRows)
 * @param gemmTile    output tile edge of the tiled GEMM (work-group gemmTile/gemmWpt x gemmTile/gemmWpt)
 * @param gemmWpt     outputs per work-item along each tile edge
 * @param gemmTileK   depth of the local-memory k tile
 * @param gemvMaxRows largest token count that takes the GEMV path (T rows of x per weight row)
 * @param rowPerItem  CPU devices: GEMV and attention give each work-item a whole row (gemv_rows.cl,
 *                    attention_rows), since a work-item there is a loop iteration and barriers and local-memory
 *                    reductions cost more than they save
 * @param hostBuiltins X86_BUILTINS: kernels may use the host compiler's x86 vector builtins where the device compiler
 *                    targets such a host (POCL defines {@code __AVX512BW__} there; the Q8-activation products use
 *                    vpmaddubsw); 0 keeps the portable OpenCL C everywhere, which tests use to check both paths
 */
public record DeviceTuning(int reduceSize, int gemvLocal, int gemvRows, int gemmTile, int gemmWpt, int gemmTileK,
                           int gemvMaxRows, boolean rowPerItem, boolean hostBuiltins) {

    public DeviceTuning {
        requirePowerOfTwo("REDUCE_SIZE", reduceSize);
        requirePowerOfTwo("GEMV_LOCAL", gemvLocal);
        requirePowerOfTwo("GEMV_ROWS", gemvRows);
        if (gemvRows > gemvLocal) {
            throw new IllegalArgumentException("GEMV_ROWS " + gemvRows + " > GEMV_LOCAL " + gemvLocal);
        }
        if (gemmTile % gemmWpt != 0 || gemmTile <= 0 || gemmWpt <= 0 || gemmTileK <= 0) {
            throw new IllegalArgumentException("GEMM_TILE " + gemmTile + " must be a multiple of GEMM_WPT " + gemmWpt);
        }
    }

    /** Defaults for a device, with system-property overrides. */
    public static DeviceTuning forDevice(ClDevice device) {
        boolean gpu = "GPU".equals(device.info().kind());
        int maxWg = device.maxWorkGroupSize();
        int reduce = Math.min(gpu ? 256 : 64, floorPow2(maxWg));
        int gemvLocal = Math.min(gpu ? 256 : 64, floorPow2(maxWg));
        int gemvRows = gpu ? 8 : 4;
        int tile = gpu ? 64 : 32;
        int wpt = gpu ? 4 : 4;
        int tileK = 16;
        while ((tile / wpt) * (tile / wpt) > maxWg) {
            tile /= 2;
        }
        return new DeviceTuning(
                override("REDUCE_SIZE", reduce), override("GEMV_LOCAL", gemvLocal), override("GEMV_ROWS", gemvRows),
                override("GEMM_TILE", tile), override("GEMM_WPT", wpt), override("GEMM_TILE_K", tileK),
                override("GEMV_MAX_ROWS", gpu ? 16 : 8), override("ROW_PER_ITEM", gpu ? 0 : 1) != 0,
                override("X86_BUILTINS", 1) != 0);
    }

    /** The {@code -D} options every dense program is built with (the GEMM tile is chosen per launch). */
    public String defines() {
        return String.format(Locale.ROOT, "-DREDUCE_SIZE=%d -DGEMV_LOCAL=%d -DGEMV_ROWS=%d%s",
                reduceSize, gemvLocal, gemvRows, hostBuiltins ? " -DX86_BUILTINS" : "");
    }

    /** The GEMM defines for an output tile of {@code tile} (a multiple of {@link #gemmWpt()}). */
    public String gemmDefines(int tile) {
        return String.format(Locale.ROOT, "-DGEMM_TILE=%d -DGEMM_WPT=%d -DGEMM_TILE_K=%d", tile, gemmWpt, gemmTileK);
    }

    private static int override(String name, int value) {
        String p = System.getProperty("moescope.cl." + name);
        if (p == null || p.isBlank()) {
            return value;
        }
        try {
            return Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property moescope.cl." + name + "='" + p + "' is not an integer");
        }
    }

    private static int floorPow2(int n) {
        return Integer.highestOneBit(Math.max(1, n));
    }

    private static void requirePowerOfTwo(String name, int v) {
        if (v <= 0 || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two, got " + v);
        }
    }
}
