package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * The device decoders against ggml's own dequantization: Q4_K and Q6_K tensors of the ggml-written gguf-tiny-k file,
 * uploaded as their raw blocks, must come out of the weight-reading kernels exactly as ggml dequantized them
 * (gguf-tiny-k/dequantized/model.safetensors). The embedding copies rows (scalar loads); a matmul with an identity x
 * gives every weight exactly (one product by 1 plus zeros) through the CPU rows kernel (16-wide loads), the GPU GEMV
 * (4-wide loads) and the GPU tiled GEMM (scalar loads).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedDecodeFixtureTest {
    private static final GgufFixtureTensors GGUF = new GgufFixtureTensors(GgufFixtureTensors.fixture("gguf-tiny-k/model.gguf"));
    private static final Path DEQUANTIZED = GgufFixtureTensors.fixture("gguf-tiny-k/dequantized/model.safetensors");

    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    /** (gguf tensor, first element, rows, dequantized tensor): rows x 256 weights. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "token_embd.weight, 0, 2048, model.embed_tokens.weight",
            "output.weight, 0, 2048, lm_head.weight",
            "blk.1.attn_v.weight, 0, 128, model.layers.1.self_attn.v_proj.weight",
            "blk.0.ffn_gate_exps.weight, 196608, 256, model.layers.0.mlp.experts.3.gate_proj.weight",
            "blk.1.ffn_down_exps.weight, 458752, 256, model.layers.1.mlp.experts.7.down_proj.weight"})
    void kernelsDecodeAsGgmlDoes(String tensor, long first, int rows, String dequantized) throws IOException {
        int in = 256;
        float[] want = GgufFixtureTensors.safetensorsF32(DEQUANTIZED, dequantized);
        assertEquals((long) rows * in, want.length, dequantized);
        GgufFixtureTensors.Tensor t = GGUF.get(tensor);
        ByteBuffer bytes = t.bytes().duplicate().position((int) t.dtype().bytesOf(first))
                .limit((int) t.dtype().bytesOf(first + (long) rows * in)).slice();
        DeviceBuffer w = cl.allocate(tensor, t.dtype(), (long) rows * in);
        cl.upload(w, 0, bytes);

        int[] ids = new int[rows];
        Arrays.setAll(ids, i -> i);
        DeviceBuffer idBuf = cl.allocate("ids", DType.I32, rows);
        cl.write(idBuf, ids);
        DeviceBuffer rowsOut = cl.allocate("rows", DType.F32, (long) rows * in);
        cl.embedding(w, idBuf, rowsOut, rows, in, rows);
        assertExact(want, cl.readFloats(rowsOut, 0, rows * in), tensor + " embedding (" + t.dtype() + ")");

        float[] identity = new float[in * in];
        for (int i = 0; i < in; i++) {
            identity[i * in + i] = 1f;
        }
        DeviceBuffer x = cl.allocate("identity", DType.F32, (long) in * in);
        cl.write(x, identity);
        DeviceBuffer y = cl.allocate("y", DType.F32, (long) in * rows);
        MatmulKernels matmuls = new MatmulKernels(cl.launcher());
        ClBuffer xb = (ClBuffer) x;
        ClBuffer wb = (ClBuffer) w;
        ClBuffer yb = (ClBuffer) y;
        matmuls.rows(xb, wb, yb, in, in, rows, 4);
        assertExact(want, transposed(cl.readFloats(y, 0, in * rows), in, rows), tensor + " CPU rows kernel");
        cl.fill(y, Float.NaN);
        matmuls.gemm(xb, wb, yb, in, in, rows);
        assertExact(want, transposed(cl.readFloats(y, 0, in * rows), in, rows), tensor + " GPU tiled GEMM");
        cl.fill(y, Float.NaN);
        matmuls.gemv(xb, wb, yb, in, in, rows);
        assertExact(want, transposed(cl.readFloats(y, 0, in * rows), in, rows), tensor + " GPU GEMV");
        for (DeviceBuffer b : new DeviceBuffer[] {w, idBuf, rowsOut, x, y}) {
            b.close();
        }
    }

    /** y [tokens, rows] -> [rows, tokens]. */
    private static float[] transposed(float[] y, int tokens, int rows) {
        float[] out = new float[y.length];
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                out[r * tokens + t] = y[t * rows + r];
            }
        }
        return out;
    }

    private static void assertExact(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (!(want[i] == got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", ggml dequantizes " + want[i]);
            }
        }
    }
}
