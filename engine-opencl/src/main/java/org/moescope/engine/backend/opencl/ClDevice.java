package org.moescope.engine.backend.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.moescope.engine.backend.DeviceInfo;

/** One OpenCL device as discovered: its handles and facts. {@code info().index()} is its position in the device list. */
public record ClDevice(cl_platform_id platform, cl_device_id id, DeviceInfo info, int maxWorkGroupSize) {
}
