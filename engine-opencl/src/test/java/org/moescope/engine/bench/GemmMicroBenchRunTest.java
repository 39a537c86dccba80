package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.backend.opencl.OpenClBackend;
import org.moescope.engine.model.ForwardingBackend;

/** The MUL_MAT_ID case on OpenCL: the dtypes of a case are timed interleaved, in the blocks InterleavedBlocks plans. */
class GemmMicroBenchRunTest {

    /** Records each expertGemv call's weight dtype and whether it was timed. */
    private static final class Recording extends ForwardingBackend {
        final List<String> calls = new ArrayList<>();
        boolean timing;

        Recording(OpenClBackend inner) {
            super(inner);
        }

        @Override
        public void beginTiming() {
            timing = true;
            super.beginTiming();
        }

        @Override
        public DeviceInterval endTiming() {
            timing = false;
            return super.endTiming();
        }

        @Override
        public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                               int pairs, int experts, int inDim, int outDim) {
            calls.add((timing ? "timed " : "untimed ") + w.dtype() + (x.dtype() == DType.F32 ? "" : " x " + x.dtype()));
            super.expertGemv(x, xRowDivisor, w, ids, out, pairs, experts, inDim, outDim);
        }

        @Override
        public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
            calls.add((timing ? "timed " : "untimed ") + "quantizeQ8");
            super.quantizeQ8(x, xq, rows, n);
        }
    }

    @Test
    void dtypesOfACaseAreTimedInInterleavedBlocks() {
        try (OpenClBackend cl = OpenClTestSupport.openOrSkip()) {
            Recording backend = new Recording(cl);
            int warmup = 1;
            List<GemmCaseResult> results = new GemmMicroBench(backend, List.of(DType.F16, DType.BF16), new int[] {1},
                    false, warmup, 1, 3, null, null).run();

            int runs = GemmMicroBench.runs(1, 8L * GgmlReference.M * GgmlReference.K * 2);
            assertEquals(List.of(DType.F16, DType.BF16), results.stream().map(GemmCaseResult::dtype).toList());
            for (GemmCaseResult r : results) {
                assertEquals(runs, r.micros().count(), r.dtype() + ": every timed call is in its median");
                assertTrue(r.gflops() > 0 && Double.isFinite(r.gflops()), r.toString());
            }
            assertEquals(results.get(0).gflops(), results.get(1).target().getAsDouble(), "BF16 is judged against F16");

            // the warm-up of each dtype, then per block one untimed call and the block's timed calls
            List<String> expected = new ArrayList<>(List.of("untimed F16", "untimed BF16"));
            for (InterleavedBlocks.Block b : InterleavedBlocks.of(new int[] {runs, runs}, GemmMicroBench.ROUNDS)) {
                String dtype = b.item() == 0 ? "F16" : "BF16";
                expected.add("untimed " + dtype);
                for (int i = 0; i < b.calls(); i++) {
                    expected.add("timed " + dtype);
                }
            }
            assertEquals(expected, backend.calls);
        }
    }

    /** With Q8 activations each call on quantized weights quantizes x first, inside the timing, as ggml's op does. */
    @Test
    void q8ActivationsQuantizeXInsideEachTimedCallOfAQuantizedCase() {
        try (OpenClBackend cl = OpenClTestSupport.openOrSkip()) {
            Recording backend = new Recording(cl);
            List<GemmCaseResult> results = new GemmMicroBench(backend, List.of(DType.Q8_0), new int[] {1}, false, 0, 1,
                    3, null, null).useQ8Activations(true).run();
            assertTrue(results.get(0).gflops() > 0, results.toString());
            List<String> timed = backend.calls.stream().filter(c -> c.startsWith("timed")).toList();
            assertEquals(GemmMicroBench.runs(1, GemmMicroBench.weightBytes(GemmMicroBench.shuffledIds(1, 4),
                    DType.Q8_0)) * 2, timed.size(), timed.toString());
            for (int i = 0; i < timed.size(); i += 2) {
                assertEquals(List.of("timed quantizeQ8", "timed Q8_0 x Q8_0"), timed.subList(i, i + 2));
            }
        }
    }
}
