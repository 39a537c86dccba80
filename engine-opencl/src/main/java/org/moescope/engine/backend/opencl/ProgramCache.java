package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * Compiles kernel sources once per (context, source, options) and caches programs and their kernels.
 * Sources are resources {@code kernels/<name>.cl}, one per kernel family named after its main kernel; a program is
 * the concatenation of a list of them (headers first, e.g. {@code [common, rms_norm]}).
 * Not thread-safe: a backend is used from one thread.
 */
public final class ProgramCache implements AutoCloseable {
    private record Key(String source, String options) {
    }

    private record KernelKey(cl_program program, String name) {
    }

    private record FilesKey(List<String> files, String options) {
    }

    private final ClRuntime runtime;
    private final Map<Key, cl_program> programs = new HashMap<>();
    private final Map<KernelKey, cl_kernel> kernels = new HashMap<>();
    private final Map<String, String> sources = new HashMap<>();
    // Every kernel launch looks its program up by (files, options): keyed by the file names, the lookup hashes a few
    // short strings instead of concatenating and hashing the whole source text on every launch.
    private final Map<FilesKey, cl_program> byFiles = new HashMap<>();

    public ProgramCache(ClRuntime runtime) {
        this.runtime = runtime;
    }

    /** The program made of the resources {@code kernels/<file>.cl} in order, built with {@code options}. */
    public cl_program program(List<String> files, String options) {
        FilesKey key = new FilesKey(files, options);
        cl_program cached = byFiles.get(key);
        if (cached != null) {
            return cached;
        }
        StringBuilder source = new StringBuilder();
        for (String file : files) {
            source.append(sources.computeIfAbsent(file, ProgramCache::resource)).append('\n');
        }
        cl_program program = program(String.join("+", files) + ".cl", source.toString(), options);
        byFiles.put(new FilesKey(List.copyOf(files), options), program);
        return program;
    }

    /** Builds (once) a program from source text; {@code name} is for error messages. */
    public cl_program program(String name, String source, String options) {
        Key key = new Key(source, options);
        cl_program cached = programs.get(key);
        if (cached != null) {
            return cached;
        }
        cl_device_id[] devices = {runtime.device().id()};
        for (int attempt = 1; ; attempt++) {
            int[] rc = new int[1];
            cl_program program = clCreateProgramWithSource(runtime.context(), 1, new String[] {source}, null, rc);
            ClException.check(rc[0], "clCreateProgramWithSource(" + name + ")");
            int build = clBuildProgram(program, 1, devices, options, null, null);
            if (build == CL_SUCCESS) {
                programs.put(key, program);
                return program;
            }
            String log = buildLog(program);
            clReleaseProgram(program);
            if (attempt == 1 && isCompilerFileFailure(build, log)) {
                continue;   // the same source built a moment later does not meet the same file race
            }
            throw new ProgramBuildException(name, options, build, log);
        }
    }

    /**
     * Whether a build failed on the compiler's own files rather than on the source: POCL's compiler writes each
     * output to a temporary file in its kernel cache and renames it, and once in the app on the 2-core test machine
     * (a Generate's first 8-token prefill) the rename failed ("unable to rename temporary ... to output file"), a
     * source that had built before and built again on the next click. Such a failure is worth one more try; an error
     * in the source is not, and fails again with the same log anyway.
     */
    static boolean isCompilerFileFailure(int code, String log) {
        return code == CL_BUILD_PROGRAM_FAILURE && log != null
                && (log.contains("unable to rename temporary") || log.contains("unable to open output file")
                        || log.contains("unable to make temporary file"));
    }

    /** Kernel {@code kernelName} of the program of {@code files} and {@code options}, created once per program. */
    public cl_kernel kernel(List<String> files, String kernelName, String options) {
        return kernel(program(files, options), kernelName);
    }

    public cl_kernel kernel(cl_program program, String kernelName) {
        return kernels.computeIfAbsent(new KernelKey(program, kernelName), k -> {
            int[] rc = new int[1];
            cl_kernel kernel = clCreateKernel(program, kernelName, rc);
            ClException.check(rc[0], "clCreateKernel(" + kernelName + ")");
            return kernel;
        });
    }

    /** Number of programs compiled so far (for tests and reports). */
    public int size() {
        return programs.size();
    }

    private String buildLog(cl_program program) {
        long[] size = new long[1];
        cl_device_id device = runtime.device().id();
        if (clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size) != CL_SUCCESS) {
            return "(no build log)";
        }
        byte[] bytes = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }

    private static String resource(String family) {
        String path = "kernels/" + family + ".cl";
        try (InputStream in = ProgramCache.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no kernel source " + path + " next to " + ProgramCache.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + path, e);
        }
    }

    @Override
    public void close() {
        kernels.values().forEach(org.jocl.CL::clReleaseKernel);
        programs.values().forEach(org.jocl.CL::clReleaseProgram);
        kernels.clear();
        programs.clear();
        byFiles.clear();
    }
}
