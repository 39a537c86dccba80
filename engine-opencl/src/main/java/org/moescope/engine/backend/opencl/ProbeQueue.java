package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.EngineException;

/**
 * A private context and profiling queue on the OpenCL device a {@link DeviceInfo} describes, for the device probes:
 * they run between benchmark phases and own their buffers, so they need nothing from the backend but the device.
 */
final class ProbeQueue implements AutoCloseable {
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final List<cl_program> programs = new ArrayList<>();
    private final List<cl_kernel> kernels = new ArrayList<>();

    ProbeQueue(DeviceInfo info) {
        OpenClLibrary.ensureLoaded();
        cl_platform_id[] platform = new cl_platform_id[1];
        device = find(info, platform);
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, platform[0]);
        int[] rc = new int[1];
        context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, rc);
        check(rc[0], "clCreateContext");
        cl_queue_properties qprops = new cl_queue_properties();
        qprops.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
        cl_command_queue q = clCreateCommandQueueWithProperties(context, device, qprops, rc);
        if (rc[0] != CL_SUCCESS) {
            clReleaseContext(context);
            check(rc[0], "clCreateCommandQueueWithProperties");
        }
        queue = q;
    }

    /**
     * The device of {@code info}: the OpenCL device list is every device of every platform in platform order
     * (as the backend lists them); the entry with the same platform and device name is taken, preferring the one at
     * {@code info.index()} when names repeat.
     */
    private static cl_device_id find(DeviceInfo info, cl_platform_id[] platformOut) {
        int[] count = new int[1];
        check(clGetPlatformIDs(0, null, count), "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        check(clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        cl_device_id chosen = null;
        int index = 0;
        for (cl_platform_id p : platforms) {
            int[] n = new int[1];
            if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n) != CL_SUCCESS || n[0] == 0) {
                continue;
            }
            cl_device_id[] ids = new cl_device_id[n[0]];
            check(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null), "clGetDeviceIDs");
            for (cl_device_id id : ids) {
                boolean same = deviceString(id, CL_DEVICE_NAME).equals(info.name())
                        && platformName(p).equals(info.platform());
                if (same && (chosen == null || index == info.index())) {
                    chosen = id;
                    platformOut[0] = p;
                }
                index++;
            }
        }
        if (chosen == null) {
            throw new EngineException("probe: no OpenCL device named '" + info.name() + "' on platform '"
                    + info.platform() + "'");
        }
        return chosen;
    }

    private static String platformName(cl_platform_id p) {
        long[] size = new long[1];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        clGetPlatformInfo(p, CL_PLATFORM_NAME, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] bytes = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, bytes.length, Pointer.to(bytes), null);
        return cString(bytes);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }

    cl_context context() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    /** Kernel {@code name} of resource {@code kernels/<file>.cl}, built with {@code options}. */
    cl_kernel kernel(String file, String name, String options) {
        String path = "kernels/" + file + ".cl";
        String source;
        try (InputStream in = ProbeQueue.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new EngineException("probe: no kernel source " + path);
            }
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EngineException("probe: cannot read " + path + ": " + e.getMessage(), e);
        }
        int[] rc = new int[1];
        cl_program program = clCreateProgramWithSource(context, 1, new String[] {source}, null, rc);
        check(rc[0], "clCreateProgramWithSource(" + path + ")");
        programs.add(program);
        int build = clBuildProgram(program, 1, new cl_device_id[] {device}, options, null, null);
        if (build != CL_SUCCESS) {
            long[] size = new long[1];
            clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] log = new byte[(int) size[0]];
            clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
            throw new EngineException("probe: building " + path + " failed (" + stringFor_errorCode(build) + "):\n"
                    + cString(log));
        }
        cl_kernel kernel = clCreateKernel(program, name, rc);
        check(rc[0], "clCreateKernel(" + name + ")");
        kernels.add(kernel);
        return kernel;
    }

    /** Runs a 1-D launch and returns its device time in nanoseconds (waits). */
    long timedLaunch(cl_kernel kernel, long global, long local) {
        cl_event event = new cl_event();
        check(clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {global}, new long[] {local}, 0, null, event),
                "clEnqueueNDRangeKernel");
        check(clWaitForEvents(1, new cl_event[] {event}), "clWaitForEvents");
        long[] start = new long[1];
        long[] end = new long[1];
        check(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, Long.BYTES, Pointer.to(start), null),
                "clGetEventProfilingInfo");
        check(clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, Long.BYTES, Pointer.to(end), null),
                "clGetEventProfilingInfo");
        clReleaseEvent(event);
        return end[0] - start[0];
    }

    static void check(int rc, String what) {
        if (rc != CL_SUCCESS) {
            throw new EngineException("probe: " + what + " failed: " + stringFor_errorCode(rc));
        }
    }

    @Override
    public void close() {
        clFinish(queue);
        kernels.forEach(org.jocl.CL::clReleaseKernel);
        programs.forEach(org.jocl.CL::clReleaseProgram);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
