package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.moescope.engine.backend.DeviceInfo;

/** Discovery and selection of OpenCL devices: every device of every platform, in platform order. */
public final class ClDevices {
    private static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private ClDevices() {
    }

    /** Every OpenCL device; empty when OpenCL loads but no platform is installed. Throws when OpenCL cannot load. */
    public static List<ClDevice> list() {
        OpenClLibrary.ensureLoaded();
        int[] count = new int[1];
        int rc = clGetPlatformIDs(0, null, count);
        if (rc == CL_PLATFORM_NOT_FOUND_KHR || count[0] == 0) {
            return List.of();
        }
        ClException.check(rc, "clGetPlatformIDs");
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClException.check(clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        List<ClDevice> devices = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            int[] n = new int[1];
            rc = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, null, n);
            if (rc == CL_DEVICE_NOT_FOUND || n[0] == 0) {
                continue;
            }
            ClException.check(rc, "clGetDeviceIDs");
            cl_device_id[] ids = new cl_device_id[n[0]];
            ClException.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids.length, ids, null), "clGetDeviceIDs");
            for (cl_device_id id : ids) {
                devices.add(describe(devices.size(), platform, id));
            }
        }
        return List.copyOf(devices);
    }

    /**
     * The device a selector names: a number is an index into {@link #list()}, anything else a case-insensitive
     * substring of the device name (first match). Throws {@link IllegalArgumentException} listing the devices.
     */
    public static ClDevice select(List<ClDevice> devices, String selector) {
        if (selector == null || selector.isBlank()) {
            throw new IllegalArgumentException("device selector is empty; " + describeAll(devices));
        }
        String s = selector.trim();
        if (s.chars().allMatch(Character::isDigit)) {
            int index = Integer.parseInt(s);
            if (index < devices.size()) {
                return devices.get(index);
            }
            throw new IllegalArgumentException("no OpenCL device with index " + index + "; " + describeAll(devices));
        }
        String needle = s.toLowerCase(Locale.ROOT);
        for (ClDevice d : devices) {
            if (d.info().name().toLowerCase(Locale.ROOT).contains(needle)) {
                return d;
            }
        }
        throw new IllegalArgumentException("no OpenCL device matches '" + selector + "'; " + describeAll(devices));
    }

    static String describeAll(List<ClDevice> devices) {
        if (devices.isEmpty()) {
            return "there are no OpenCL devices";
        }
        StringBuilder sb = new StringBuilder("devices:");
        for (ClDevice d : devices) {
            sb.append("\n  ").append(d.info().summary());
        }
        return sb.toString();
    }

    private static ClDevice describe(int index, cl_platform_id platform, cl_device_id id) {
        long type = deviceLong(id, CL_DEVICE_TYPE);
        String kind = (type & CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                : (type & CL_DEVICE_TYPE_CPU) != 0 ? "CPU"
                : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR" : "OTHER";
        List<String> extensions = Arrays.stream(deviceString(id, CL_DEVICE_EXTENSIONS).trim().split("\\s+"))
                .filter(e -> !e.isEmpty()).toList();
        DeviceInfo info = new DeviceInfo(index,
                platformString(platform, CL_PLATFORM_NAME),
                deviceString(id, CL_DEVICE_NAME).trim(),
                deviceString(id, CL_DEVICE_VENDOR).trim(),
                deviceString(id, CL_DEVICE_VERSION).trim(),
                kind,
                (int) deviceLong(id, CL_DEVICE_MAX_COMPUTE_UNITS),
                deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE),
                deviceLong(id, CL_DEVICE_PROFILING_TIMER_RESOLUTION),
                extensions,
                hostUnifiedMemory(id, kind));
        return new ClDevice(platform, id, info, (int) deviceLong(id, CL_DEVICE_MAX_WORK_GROUP_SIZE));
    }

    /**
     * CL_DEVICE_HOST_UNIFIED_MEMORY, deprecated since OpenCL 2.0 yet still answered by the runtimes we know; a CPU
     * device works in host memory whatever a runtime answers.
     */
    private static boolean hostUnifiedMemory(cl_device_id id, String kind) {
        if ("CPU".equals(kind)) {
            return true;
        }
        try {
            return deviceLong(id, CL_DEVICE_HOST_UNIFIED_MEMORY) != 0;
        } catch (ClException e) {
            return false;
        }
    }

    /** A numeric device fact of any width (cl_uint, cl_ulong, size_t, bitfield), as a long. */
    static long deviceLong(cl_device_id id, int param) {
        long[] size = new long[1];
        ClException.check(clGetDeviceInfo(id, param, 0, null, size), "clGetDeviceInfo(" + param + ")");
        byte[] bytes = new byte[(int) size[0]];
        ClException.check(clGetDeviceInfo(id, param, bytes.length, Pointer.to(bytes), null), "clGetDeviceInfo(" + param + ")");
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(bytes, Sizeof.cl_ulong)).order(ByteOrder.nativeOrder());
        return bytes.length >= 8 ? b.getLong(0) : Integer.toUnsignedLong(b.getInt(0));
    }

    static String deviceString(cl_device_id id, int param) {
        long[] size = new long[1];
        ClException.check(clGetDeviceInfo(id, param, 0, null, size), "clGetDeviceInfo(" + param + ")");
        byte[] bytes = new byte[(int) size[0]];
        ClException.check(clGetDeviceInfo(id, param, bytes.length, Pointer.to(bytes), null), "clGetDeviceInfo(" + param + ")");
        return cString(bytes);
    }

    private static String platformString(cl_platform_id platform, int param) {
        long[] size = new long[1];
        ClException.check(clGetPlatformInfo(platform, param, 0, null, size), "clGetPlatformInfo(" + param + ")");
        byte[] bytes = new byte[(int) size[0]];
        ClException.check(clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null),
                "clGetPlatformInfo(" + param + ")");
        return cString(bytes).trim();
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
