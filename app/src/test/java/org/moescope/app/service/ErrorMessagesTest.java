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
}
