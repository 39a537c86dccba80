package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.model.ForwardingBackend;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.Profiler;
import org.moescope.engine.profile.StageSpan;

/**
 * The Q8 activations switch of {@link MoeBlock} on each backend: which stages and launches it adds on quantized
 * experts, that it changes nothing on float experts, and how far its output is from the float-activation path.
 */
class MoeBlockQ8Test {
    private static List<Backend> backends;

    static synchronized List<Backend> backends() {
        if (backends == null) {
            backends = MoeTestSupport.openBackends();
        }
        return backends;
    }

    static Stream<Arguments> onEachBackend() {
        return backends().stream().map(b -> Arguments.of(MoeTestSupport.named(b)));
    }

    @AfterAll
    static void closeBackends() {
        if (backends != null) {
            backends.forEach(Backend::close);
            backends = null;
        }
    }

    // hidden and inter are whole Q8_0 blocks of 32
    private static final MoeShape SHAPE = new MoeShape(64, 32, 6, 2, true);
    private static final int TOKENS = 5;
    private static final MoeOptions OFF = MoeOptions.DEFAULT;
    private static final MoeOptions ON = MoeOptions.DEFAULT.withQ8Activations(true);

    /** One expert op or quantizeQ8 call as the block issued it, with the type of its x. */
    private record Launch(String op, DType x) {
    }

    /** Records the quantize and expert launches, then runs them on the backend it wraps (which it does not close). */
    private static final class RecordingBackend extends ForwardingBackend {
        final List<Launch> launches = new ArrayList<>();

        RecordingBackend(Backend inner) {
            super(inner);
        }

        @Override
        public void close() {
        }

        @Override
        public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
            launches.add(new Launch("quantizeQ8 " + rows + "x" + n, x.dtype()));
            super.quantizeQ8(x, xq, rows, n);
        }

        @Override
        public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                               int pairs, int experts, int inDim, int outDim) {
            launches.add(new Launch("expertGemv", x.dtype()));
            super.expertGemv(x, xRowDivisor, w, ids, out, pairs, experts, inDim, outDim);
        }

        @Override
        public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                     DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
            launches.add(new Launch("expertGateUpSilu", x.dtype()));
            super.expertGateUpSilu(x, xRowDivisor, wGate, wUp, ids, out, pairs, experts, hidden, inter);
        }

        @Override
        public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                                DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens,
                                int k, int experts, int inDim, int outDim, int maxPerExpert) {
            launches.add(new Launch("groupedGemm", x.dtype()));
            return super.groupedGemm(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList, tokens, k,
                    experts, inDim, outDim, maxPerExpert);
        }
    }

    /** What one call of the block did. */
    private record Run(float[] out, List<String> stages, List<Launch> launches) {
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void onQuantizedExpertsTheSwitchAddsQuantizeStagesAndPassesQ8Blocks(Backend backend) {
        assumeQuantizedOps(backend);
        try (RecordingBackend b = new RecordingBackend(backend); MoeBlock block = new MoeBlock(b, SHAPE, TOKENS);
             MoeLayerWeights w = q8Weights(b, 1)) {
            float[] x = input(TOKENS, 2);
            int pairs = TOKENS * SHAPE.topK();
            String qx = "quantizeQ8 " + TOKENS + "x64";
            String qSilu = "quantizeQ8 " + pairs + "x32";

            Run prefill = run(b, block, w, Phase.PREFILL, x, TOKENS, ON);
            assertEquals(List.of("router", "route_ids", "quantize_q8", "gate_q8", "up_q8", "silu", "quantize_q8_down",
                    "down_q8", "wsum"), prefill.stages());
            assertEquals(List.of(new Launch(qx, DType.F32), new Launch("groupedGemm", DType.Q8_0),
                    new Launch("groupedGemm", DType.Q8_0), new Launch(qSilu, DType.F32),
                    new Launch("groupedGemm", DType.Q8_0)), prefill.launches());

            Run batched = run(b, block, w, Phase.BATCHED_DECODE, x, TOKENS, ON.withFusedGateUpSilu(false));
            assertEquals(List.of("router", "route", "quantize_q8", "gate_q8", "up_q8", "silu", "quantize_q8_down",
                    "down_q8", "wsum"), batched.stages());
            assertEquals(List.of(new Launch(qx, DType.F32), new Launch("expertGemv", DType.Q8_0),
                    new Launch("expertGemv", DType.Q8_0), new Launch(qSilu, DType.F32),
                    new Launch("expertGemv", DType.Q8_0)), batched.launches());

            Run decode = run(b, block, w, Phase.DECODE, x, 1, ON);
            assertEquals(List.of("router", "route", "quantize_q8", "gate_up_silu_q8", "quantize_q8_down", "down_q8",
                    "wsum"), decode.stages());
            assertEquals(List.of(new Launch("quantizeQ8 1x64", DType.F32), new Launch("expertGateUpSilu", DType.Q8_0),
                    new Launch("quantizeQ8 " + SHAPE.topK() + "x32", DType.F32), new Launch("expertGemv", DType.Q8_0)),
                    decode.launches());

            Run off = run(b, block, w, Phase.DECODE, x, 1, OFF);
            assertEquals(List.of("router", "route", "gate_up_silu", "down", "wsum"), off.stages());
            assertEquals(List.of(new Launch("expertGateUpSilu", DType.F32), new Launch("expertGemv", DType.F32)),
                    off.launches(), "switched off on the next call: float activations again");
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void onFloatExpertsTheSwitchChangesNothing(Backend backend) {
        try (RecordingBackend b = new RecordingBackend(backend); MoeBlock block = new MoeBlock(b, SHAPE, TOKENS)) {
            MoeFixture fixture = MoeFixture.random(SHAPE, DType.BF16, 3);
            try (MoeLayerWeights w = fixture.upload(b)) {
                float[] x = input(TOKENS, 4);
                for (Phase phase : Phase.values()) {
                    int tokens = phase == Phase.DECODE ? 1 : TOKENS;
                    Run on = run(b, block, w, phase, x, tokens, ON);
                    Run off = run(b, block, w, phase, x, tokens, OFF);
                    assertEquals(off.stages(), on.stages(), phase.label());
                    assertEquals(off.launches(), on.launches(), phase.label());
                    assertTrue(on.launches().stream().allMatch(l -> l.x() == DType.F32), phase.label());
                    assertArrayEquals(off.out(), on.out(), phase.label());
                }
            }
        }
    }

    /**
     * Q8 activations against float activations on the same Q8_0 weights. Each activation is rounded to a step of
     * 1/127 of its block's largest magnitude (an error of up to 0.4 % of that magnitude), in the input and again in
     * the SiLU output; through dot products of only 64 and 32 terms that leaves the largest output error at about
     * 1.5 % of the largest output here (measured on the OpenCL kernels). The bound of 3 % is twice that; skipping a
     * quantization, a wrong block scale or a lost block gives errors of the order of the output itself.
     */
    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void q8ActivationsStayWithinThreePercentOfTheFloatPath(Backend b) {
        assumeQuantizedOps(b);
        try (MoeBlock block = new MoeBlock(b, SHAPE, TOKENS); MoeLayerWeights w = q8Weights(b, 5)) {
            float[] x = input(TOKENS, 6);
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                for (Phase phase : Phase.values()) {
                    int tokens = phase == Phase.DECODE ? 1 : TOKENS;
                    float[] floatPath = run(b, block, w, phase, x, tokens, options).out();
                    float[] q8Path = run(b, block, w, phase, x, tokens, options.withQ8Activations(true)).out();
                    double max = 0;
                    double err = 0;
                    for (int i = 0; i < floatPath.length; i++) {
                        max = Math.max(max, Math.abs(floatPath[i]));
                        err = Math.max(err, Math.abs(q8Path[i] - floatPath[i]));
                    }
                    String what = phase.label() + " " + options.label();
                    assertTrue(max > 0.1, what + ": the output is not trivially small");
                    assertTrue(err <= 0.03 * max, what + ": max error " + err + " vs largest output " + max);
                    assertTrue(err > 0, what + ": Q8 activations took the float path");
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Skips (saying why) while {@code b} cannot hold Q8_0 weights or quantize activations yet. */
    private static void assumeQuantizedOps(Backend b) {
        String missing = null;
        try (DeviceBuffer x = b.allocate("probe.x", DType.F32, 32); DeviceBuffer xq = b.allocate("probe.xq", DType.Q8_0, 32)) {
            b.quantizeQ8(x, xq, 1, 32);
            b.finish();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            missing = e.getMessage();
        }
        assumeTrue(missing == null, b.kind() + " has no quantized ops yet: " + missing);
    }

    private static Run run(Backend backend, MoeBlock block, MoeLayerWeights w, Phase phase, float[] x, int tokens,
                           MoeOptions options) {
        RecordingBackend recording = backend instanceof RecordingBackend r ? r : null;
        if (recording != null) {
            recording.launches.clear();
        }
        Profiler profiler = Profiler.on(backend);
        profiler.beginStep(phase, tokens, options);
        int h = SHAPE.hidden();
        try (DeviceBuffer xb = MoeTestSupport.upload(backend, "x", java.util.Arrays.copyOf(x, tokens * h));
             DeviceBuffer out = backend.allocate("out", DType.F32, (long) tokens * h)) {
            switch (phase) {
                case PREFILL -> block.prefill(w, xb, out, tokens, options, profiler, 0);
                case BATCHED_DECODE -> block.batchedDecode(w, xb, out, tokens, options, profiler, 0);
                case DECODE -> {
                    // decode adds into the residual; start it at zero so out is the block's output
                    block.decode(w, xb, out, null, null, 1e-6f, options, profiler, 0);
                }
            }
            float[] result = backend.readFloats(out, 0, tokens * h);
            List<String> stages = profiler.endStep().stream().map(StageSpan::stage).toList();
            List<Launch> launches = recording == null ? List.of() : List.copyOf(recording.launches);
            return new Run(result, stages, launches);
        }
    }

    private static float[] input(int tokens, long seed) {
        return MoeFixture.gaussian(new Random(seed), tokens * SHAPE.hidden(), 1);
    }

    /** Random experts stored as Q8_0 blocks (written on the host as ggml's quantize_row_q8_0); an F32 router. */
    private static MoeLayerWeights q8Weights(Backend b, long seed) {
        Random r = new Random(seed);
        int h = SHAPE.hidden();
        int inter = SHAPE.inter();
        int e = SHAPE.experts();
        DeviceBuffer router = MoeTestSupport.upload(b, "router", MoeFixture.gaussian(r, e * h, 2 / Math.sqrt(h)));
        return new MoeLayerWeights(router, q8(b, "gate", MoeFixture.gaussian(r, e * inter * h, 1 / Math.sqrt(h))),
                q8(b, "up", MoeFixture.gaussian(r, e * inter * h, 1 / Math.sqrt(h))),
                q8(b, "down", MoeFixture.gaussian(r, e * h * inter, 1 / Math.sqrt(inter))));
    }

    private static DeviceBuffer q8(Backend b, String name, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
        for (int block = 0; block < values.length / 32; block++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(values[block * 32 + i]));
            }
            float d = amax / 127;
            bytes.putShort(Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) {
                bytes.put((byte) (d == 0 ? 0 : Math.round(values[block * 32 + i] / d)));
            }
        }
        bytes.flip();
        DeviceBuffer buf = b.allocate("test.moe." + name, DType.Q8_0, values.length);
        b.upload(buf, 0, bytes);
        return buf;
    }
}
