package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.java.JavaBackend;

class SafetensorsFileTest {

    @TempDir
    Path tmp;

    @Test
    void uploadsAcrossMappingWindowsAndConvertsWhenAsked() throws IOException {
        Random r = new Random(1);
        float[] a = new float[1001];
        float[] b = new float[77];
        for (int i = 0; i < a.length; i++) {
            a[i] = Precision.roundTo(DType.BF16, r.nextFloat() - 0.5f);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat();
        }
        Path file = tmp.resolve("t.safetensors");
        new SafetensorsWriter().add("a", DType.BF16, new long[] {7, 143}, a).add("b", DType.F32, new long[] {77}, b).write(file);
        // windows of 60 bytes: every tensor crosses many windows and chunks
        for (long region : new long[] {60, 64, 1 << 20}) {
            try (SafetensorsFile f = SafetensorsFile.open(file, region); JavaBackend backend = new JavaBackend()) {
                assertEquals(DType.BF16, f.tensors().get("a").dtype());
                assertArrayEquals(new long[] {7, 143}, f.tensors().get("a").shape());
                DeviceBuffer da = backend.allocate("a", DType.BF16, 1001 + 5);
                f.upload(f.tensors().get("a"), backend, da, 5);
                assertArrayEquals(a, backend.readFloats(da, 5, 1001), "region " + region);
                DeviceBuffer wide = backend.allocate("a32", DType.F32, 1001);
                f.upload(f.tensors().get("a"), backend, wide, 0);
                assertArrayEquals(a, backend.readFloats(wide, 0, 1001), "BF16 -> F32, region " + region);
                DeviceBuffer db = backend.allocate("b", DType.F32, 77);
                f.upload(f.tensors().get("b"), backend, db, 0);
                assertArrayEquals(b, backend.readFloats(db, 0, 77));
            }
        }
    }
}
