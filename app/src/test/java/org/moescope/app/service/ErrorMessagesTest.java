package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.EngineException;

class ErrorMessagesTest {
    @Test
    void engineFailuresReadAsTheirMessage() {
        assertEquals("Loading the model failed: no config.json in /x",
                ErrorMessages.describe("Loading the model", new EngineException("no config.json in /x")));
        assertEquals("Prefill failed: prompt is empty",
                ErrorMessages.describe("Prefill", new IllegalArgumentException("prompt is empty")));
    }

    @Test
    void outOfDeviceMemoryIsSaidFirst() {
        var e = new DeviceMemoryException("experts.gate", 1L << 34, "CL_MEM_OBJECT_ALLOCATION_FAILURE");
        String message = ErrorMessages.describe("Loading the model", e);
        assertTrue(message.startsWith("Loading the model failed: out of device memory allocating 'experts.gate'"), message);
        assertTrue(message.endsWith("or another device."), "says what to change: " + message);
    }

    @Test
    void wrappersAreUnwrappedAndUnexpectedFailuresNameTheirType() {
        var wrapped = new ExecutionException(new EngineException("OpenCL build failed: kernel moe_route"));
        assertEquals("Step failed: OpenCL build failed: kernel moe_route", ErrorMessages.describe("Step", wrapped));
        assertEquals("Step failed (NullPointerException): NullPointerException",
                ErrorMessages.describe("Step", new NullPointerException()));
    }

    @Test
    void fileErrorsGiveTheReasonNotTheBarePath() {
        assertEquals("/proc/score.json: permission denied",
                ErrorMessages.ioMessage(new java.nio.file.AccessDeniedException("/proc/score.json")));
        assertTrue(ErrorMessages.ioMessage(new java.nio.file.NoSuchFileException("/proc/score.json"))
                .startsWith("/proc/score.json: no such file or folder"));
        assertEquals("/mnt/ro/x.json: Read-only file system", ErrorMessages.ioMessage(
                new java.nio.file.FileSystemException("/mnt/ro/x.json", null, "Read-only file system")));
        assertEquals("Writing /x/t.json failed: /x/t.json: permission denied", ErrorMessages.describe("Writing /x/t.json",
                new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/x/t.json"))));
    }

    @Test
    void aFullJavaHeapNamesTheOptionThatRaisesIt() {
        String heap = ErrorMessages.describe("Loading the model", new OutOfMemoryError("Java heap space"));
        assertTrue(heap.contains("Java heap is exhausted") && heap.contains("MOESCOPE_JAVA_OPTS=-Xmx"), heap);
        // the Java reference's device memory is the heap
        var javaDevice = new DeviceMemoryException("experts", 1L << 33, "Java heap exhausted (max 1 bytes; raise -Xmx)");
        assertTrue(ErrorMessages.describe("Loading the model", javaDevice).contains("MOESCOPE_JAVA_OPTS=-Xmx"));
        assertTrue(ErrorMessages.isOutOfJavaHeap(new EngineException("wrapped", javaDevice)));
    }

    @Test
    void theEnginesRefusalOfTooLargeWeightsIsOutOfDeviceMemory() {
        var refusal = new EngineException("out of device memory: the model's weights need 437.90 GiB but GPU has 8 GiB");
        assertTrue(ErrorMessages.isOutOfDeviceMemory(refusal));
        assertTrue(ErrorMessages.describe("Loading the model", refusal).endsWith("or another device."));
        var wrapped = new EngineException("loading failed",
                new DeviceMemoryException("kv", 1L << 30, "CL_MEM_OBJECT_ALLOCATION_FAILURE"));
        assertTrue(ErrorMessages.isOutOfDeviceMemory(wrapped));
        assertTrue(ErrorMessages.isOutOfDeviceMemory(
                new EngineException("clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)")));
        assertTrue(!ErrorMessages.isOutOfDeviceMemory(new EngineException("no config.json in /x")));
        assertTrue(!ErrorMessages.isOutOfDeviceMemory(
                new EngineException("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)")));
        assertTrue(!ErrorMessages.isOutOfJavaHeap(refusal));
    }
}
