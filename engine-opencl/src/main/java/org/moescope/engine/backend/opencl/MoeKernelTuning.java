package org.moescope.engine.backend.opencl;

import java.util.Locale;

/**
 * Tile and work-group shapes of the MoE kernels on one device, passed to their programs as {@code -DMOE_*} defines.
 * Defaults depend on the device type (GPUs want wide register-blocked tiles and many lanes per GEMV row; CPU devices
 * such as POCL want small work-groups and no barriers in the GEMV), clamped to its work-group size and local memory.
 * Each value can be overridden with a system property {@code moescope.cl.<NAME>}, e.g.
 * {@code -Dmoescope.cl.MOE_TILE_M=32}.
 *
 * @param tileRows       MOE_TILE_M: pairs per grouped-GEMM row tile; the dispatch work list is built for it
 * @param tileCols       MOE_TILE_N: output columns per grouped-GEMM tile (per work-item when barrierFree)
 * @param tileDepth      MOE_TILE_K: inDim step staged in local memory (a multiple of 4)
 * @param regRows        MOE_REG_M: rows each work-item accumulates (divides tileRows)
 * @param regCols        MOE_REG_N: columns each work-item accumulates (divides tileCols)
 * @param gemvLanes      MOE_GEMV_LANES: work-items sharing one GEMV row (a power of two)
 * @param gemvRows       MOE_GEMV_ROWS: rows per GEMV work-group
 * @param gemvItemRows   MOE_GEMV_ITEM_ROWS: rows per work-item of the barrier-free GEMVs
 * @param dispatchLocal  MOE_DISPATCH_LOCAL: work-items of the single dispatch work-group (a power of two)
 * @param barrierFree    MOE_BARRIER_FREE (0/1): CPU kernels without local memory or barriers: each work-item streams
 *                       whole GEMV rows, or a row tile x tileCols columns of the grouped GEMM
 */
public record MoeKernelTuning(int tileRows, int tileCols, int tileDepth, int regRows, int regCols,
                              int gemvLanes, int gemvRows, int gemvItemRows, int dispatchLocal, boolean barrierFree) {

    public MoeKernelTuning {
        positive("MOE_TILE_M", tileRows);
        positive("MOE_TILE_N", tileCols);
        positive("MOE_REG_M", regRows);
        positive("MOE_REG_N", regCols);
        positive("MOE_GEMV_ROWS", gemvRows);
        positive("MOE_GEMV_ITEM_ROWS", gemvItemRows);
        if (tileDepth <= 0 || tileDepth % 4 != 0) {
            throw new IllegalArgumentException("MOE_TILE_K must be a positive multiple of 4, got " + tileDepth);
        }
        if (tileRows % regRows != 0) {
            throw new IllegalArgumentException("MOE_TILE_M " + tileRows + " must be a multiple of MOE_REG_M " + regRows);
        }
        if (tileCols % regCols != 0) {
            throw new IllegalArgumentException("MOE_TILE_N " + tileCols + " must be a multiple of MOE_REG_N " + regCols);
        }
        powerOfTwo("MOE_GEMV_LANES", gemvLanes);
        powerOfTwo("MOE_DISPATCH_LOCAL", dispatchLocal);
    }

    /**
     * Defaults for a device with these limits, then the system-property overrides, then checked against the limits.
     * The defaults are the fastest shapes measured at Qwen3-30B-A3B sizes: on an H200 (MoeKernelBench) 64x128x32
     * tiles with 4x8 outputs per work-item (12.3 TFLOP/s F32/F16/BF16 at T=512) and 32 lanes x 8 rows GEMVs; on POCL
     * (the ggml case of `moescope bench`, 2-core EPYC, alternated runs) barrier-free 32-pair x 64-column grouped-GEMM
     * tiles (4 x 4 blocks, the last 1 or 2 pairs row by row; 64 columns beat 32 by 10-15% at n = 32 and tie at
     * n = 512, 128 no better) and 32 GEMV rows per work-item: pairs that share an expert are grouped once per item
     * (batched decode B=16 expert stages 0.70-0.74x the time of per-pair GEMVs), and fewer rows let the grouping scans
     * cost up to 45% of the L3-resident decode GEMV.
     */
    public static MoeKernelTuning forDevice(boolean gpu, int maxWorkGroupSize, long localMemBytes) {
        int maxWg = Integer.highestOneBit(Math.max(1, maxWorkGroupSize));
        MoeKernelTuning defaults = gpu
                ? new MoeKernelTuning(64, 128, 32, 4, 8, 32, 8, 1, 256, false)
                : new MoeKernelTuning(32, 64, 16, 4, 4, 8, 8, 32, 64, true);
        // Small devices: halve the tiles until a work-group fits, then the depth until the tiles fit in local memory.
        int tileRows = defaults.tileRows;
        int tileCols = defaults.tileCols;
        while ((tileRows / defaults.regRows) * (tileCols / defaults.regCols) > maxWg && tileCols > defaults.regCols) {
            tileCols /= 2;
            if ((tileRows / defaults.regRows) * (tileCols / defaults.regCols) > maxWg && tileRows > defaults.regRows) {
                tileRows /= 2;
            }
        }
        int tileDepth = defaults.tileDepth;
        while (!defaults.barrierFree && localMemBytes > 0 && tileDepth > 4
                && 4L * (tileDepth * (tileRows + tileCols + 2L) + tileRows) > localMemBytes) {
            tileDepth /= 2;
        }
        int gemvRows = defaults.gemvRows;
        while (defaults.gemvLanes * gemvRows > maxWg && gemvRows > 1) {
            gemvRows /= 2;
        }
        MoeKernelTuning tuning = new MoeKernelTuning(
                override("MOE_TILE_M", tileRows), override("MOE_TILE_N", tileCols),
                override("MOE_TILE_K", tileDepth), override("MOE_REG_M", defaults.regRows),
                override("MOE_REG_N", defaults.regCols), override("MOE_GEMV_LANES", Math.min(defaults.gemvLanes, maxWg)),
                override("MOE_GEMV_ROWS", gemvRows), override("MOE_GEMV_ITEM_ROWS", defaults.gemvItemRows),
                override("MOE_DISPATCH_LOCAL", Math.min(defaults.dispatchLocal, maxWg)),
                override("MOE_BARRIER_FREE", defaults.barrierFree ? 1 : 0) != 0);
        tuning.checkFits(maxWorkGroupSize, localMemBytes);
        return tuning;
    }

    /** Work-items of a grouped-GEMM work-group: (tileCols / regCols) x (tileRows / regRows). */
    public int gemmThreadsCols() {
        return tileCols / regCols;
    }

    public int gemmThreadsRows() {
        return tileRows / regRows;
    }

    /** Local memory of a grouped-GEMM work-group: the transposed x and w tiles (padded by one column) and the pair ids. */
    public long gemmLocalBytes() {
        return 4L * (tileDepth * (tileRows + 1L) + tileDepth * (tileCols + 1L) + tileRows);
    }

    public String gemmDefines() {
        return String.format(Locale.ROOT, "-DMOE_TILE_M=%d -DMOE_TILE_N=%d -DMOE_TILE_K=%d -DMOE_REG_M=%d -DMOE_REG_N=%d",
                tileRows, tileCols, tileDepth, regRows, regCols);
    }

    public String gemvDefines() {
        return String.format(Locale.ROOT, "-DMOE_GEMV_LANES=%d -DMOE_GEMV_ROWS=%d -DMOE_GEMV_ITEM_ROWS=%d",
                gemvLanes, gemvRows, gemvItemRows);
    }

    public String dispatchDefines() {
        return "-DMOE_DISPATCH_LOCAL=" + dispatchLocal;
    }

    private void checkFits(int maxWorkGroupSize, long localMemBytes) {
        if (dispatchLocal > maxWorkGroupSize) {
            throw new IllegalArgumentException("MOE_DISPATCH_LOCAL " + dispatchLocal
                    + " exceeds the device's maximum work-group size " + maxWorkGroupSize);
        }
        if (barrierFree) {
            return;
        }
        long gemmGroup = (long) gemmThreadsCols() * gemmThreadsRows();
        if (gemmGroup > maxWorkGroupSize) {
            throw new IllegalArgumentException("MoE grouped GEMM work-group " + gemmThreadsCols() + " x "
                    + gemmThreadsRows() + " exceeds the device's maximum work-group size " + maxWorkGroupSize
                    + " (lower moescope.cl.MOE_TILE_M / MOE_TILE_N or raise MOE_REG_M / MOE_REG_N)");
        }
        if (localMemBytes > 0 && gemmLocalBytes() > localMemBytes) {
            throw new IllegalArgumentException("MoE grouped GEMM tiles need " + gemmLocalBytes()
                    + " bytes of local memory, the device has " + localMemBytes + " (lower moescope.cl.MOE_TILE_K)");
        }
        if ((long) gemvLanes * gemvRows > maxWorkGroupSize) {
            throw new IllegalArgumentException("MoE GEMV work-group " + gemvLanes + " x " + gemvRows
                    + " exceeds the device's maximum work-group size " + maxWorkGroupSize);
        }
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

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    private static void powerOfTwo(String name, int v) {
        if (v <= 0 || Integer.bitCount(v) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two, got " + v);
        }
    }
}
