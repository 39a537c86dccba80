package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jocl.CL;
import org.jocl.cl_program;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/** Programs compile once per (source, options); build failures carry the compiler log; errors name op and code. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProgramCacheTest {
    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    @Test
    void compilesOncePerSourceAndOptions() {
        ProgramCache programs = cl.launcher().programs();
        String source = "__kernel void twice(__global float *x) { x[get_global_id(0)] *= FACTOR; }";
        cl_program a = programs.program("twice", source, "-DFACTOR=2.0f");
        int size = programs.size();
        assertSame(a, programs.program("twice", source, "-DFACTOR=2.0f"));
        assertEquals(size, programs.size());
        cl_program b = programs.program("twice", source, "-DFACTOR=3.0f");
        assertNotSame(a, b);
        assertEquals(size + 1, programs.size());
        assertSame(programs.kernel(a, "twice"), programs.kernel(a, "twice"));
    }

    @Test
    void filesAndSourceLookupsShareOneProgramAndTheCallersListIsNotKept() {
        ProgramCache programs = cl.launcher().programs();
        String options = "-DREDUCE_SIZE=64 -DGEMV_LOCAL=64 -DGEMV_ROWS=1 -DTEST_ONLY=1";
        java.util.ArrayList<String> files = new java.util.ArrayList<>(List.of("common", "add"));
        cl_program byFiles = programs.program(files, options);
        files.set(1, "fill");   // must not change what (common, add) maps to
        assertSame(byFiles, programs.program(List.of("common", "add"), options));
        assertNotSame(byFiles, programs.program(files, options), "(common, fill) is another program");
        assertNotSame(byFiles, programs.program(List.of("common", "add"), options + " -DOTHER=1"));
    }

    @Test
    void resourceFamiliesAreBuiltOnceAcrossLaunches() {
        try (DeviceBuffer a = cl.allocate("a", DType.F32, 5)) {
            cl.add(a, a, a, 5);
            int size = cl.launcher().programs().size();
            cl.add(a, a, a, 5);
            cl.add(a, a, a, 3);
            assertEquals(size, cl.launcher().programs().size());
            assertSame(cl.launcher().programs().program(List.of("common", "add"), cl.launcher().tuning().defines()),
                    cl.launcher().programs().program(List.of("common", "add"), cl.launcher().tuning().defines()));
        }
    }

    @Test
    void buildFailureCarriesTheBuildLog() {
        String broken = "__kernel void broken(__global float *x) { x[0] = undefined_identifier_xyz; }";
        ProgramBuildException e = assertThrows(ProgramBuildException.class,
                () -> cl.launcher().programs().program("broken.cl", broken, "-DSOMETHING=1"));
        assertTrue(e.buildLog().contains("undefined_identifier_xyz"), e.buildLog());
        assertTrue(e.getMessage().contains(e.buildLog()), e.getMessage());
        assertTrue(e.getMessage().contains("broken.cl"), e.getMessage());
        assertTrue(e.getMessage().contains("-DSOMETHING=1"), e.getMessage());
        assertEquals(CL.CL_BUILD_PROGRAM_FAILURE, e.code());
    }

    @Test
    void aFailureOnTheCompilersOwnFilesIsWorthOneMoreTryASourceErrorIsNot() {
        // the log of the failure seen in the app (its end was cut off on the screen)
        String seen = "error: <invalid loc>: unable to rename temporary "
                + "'/root/.cache/pocl/kcache/tempfile_rUE1GX.preproc-634cab4f.cl.tmp' to output file "
                + "'/root/.cache/pocl/kcache/tempfile_rUE1GX.preproc.cl'";
        assertTrue(ProgramCache.isCompilerFileFailure(CL.CL_BUILD_PROGRAM_FAILURE, seen));
        assertFalse(ProgramCache.isCompilerFileFailure(CL.CL_BUILD_PROGRAM_FAILURE,
                "<source>:1:50: error: use of undeclared identifier 'undefined_identifier_xyz'"));
        assertFalse(ProgramCache.isCompilerFileFailure(CL.CL_INVALID_BUILD_OPTIONS, seen));
        assertFalse(ProgramCache.isCompilerFileFailure(CL.CL_BUILD_PROGRAM_FAILURE, null));
    }

    @Test
    void missingKernelSourceIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cl.launcher().programs().program(List.of("no_such_family"), ""));
        assertTrue(e.getMessage().contains("kernels/no_such_family.cl"), e.getMessage());
    }

    @Test
    void clExceptionNamesOperationAndCode() {
        ClException e = new ClException("clEnqueueReadBuffer(logits)", CL.CL_INVALID_VALUE);
        assertEquals("clEnqueueReadBuffer(logits) failed: CL_INVALID_VALUE (-30)", e.getMessage());
        assertEquals(CL.CL_INVALID_VALUE, e.code());
        assertTrue(new ClException("x", CL.CL_MEM_OBJECT_ALLOCATION_FAILURE).isOutOfMemory());
    }

    @Test
    void realCallFailuresBecomeClExceptions() {
        try (DeviceBuffer a = cl.allocate("a", DType.F32, 4)) {
            Launch tooManyArgs = cl.launcher().launch("add", "add", "")
                    .arg((ClBuffer) a).arg((ClBuffer) a).arg((ClBuffer) a).arg(4);
            ClException e = assertThrows(ClException.class, () -> tooManyArgs.arg(1));
            assertEquals(CL.CL_INVALID_ARG_INDEX, e.code());
            assertTrue(e.getMessage().startsWith("clSetKernelArg(add, arg 4) failed: CL_INVALID_ARG_INDEX"),
                    e.getMessage());
        }
    }
}
