package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import org.jocl.Pointer;
import org.jocl.cl_event;
import org.moescope.engine.backend.DeviceInterval;

/**
 * Timing windows over profiling events. Inside a window every enqueue gets an event ({@link #event()} non-null);
 * outside, enqueues pass no event at all and nothing is synchronised. The interval of a window resolves lazily,
 * from the first event's CL_PROFILING_COMMAND_START to the latest CL_PROFILING_COMMAND_END, and then releases them.
 */
public final class EventTimer {
    private List<cl_event> window;

    public boolean isOpen() {
        return window != null;
    }

    public void begin() {
        if (window != null) {
            throw new IllegalStateException("a timing window is already open (windows do not nest)");
        }
        window = new ArrayList<>();
    }

    public DeviceInterval end() {
        if (window == null) {
            throw new IllegalStateException("endTiming without beginTiming");
        }
        List<cl_event> events = window;
        window = null;
        return events.isEmpty() ? DeviceInterval.EMPTY : new LazyInterval(events);
    }

    /** An event to pass to the next enqueue: a fresh one inside a window, null outside. */
    public cl_event event() {
        return window == null ? null : new cl_event();
    }

    /** Records the event an enqueue filled in (no-op for null). */
    public void record(cl_event event) {
        if (event != null && window != null) {
            window.add(event);
        }
    }

    private static final class LazyInterval implements DeviceInterval {
        private List<cl_event> events;
        private long start;
        private long end;

        LazyInterval(List<cl_event> events) {
            this.events = events;
        }

        @Override
        public synchronized long startNanos() {
            resolve();
            return start;
        }

        @Override
        public synchronized long endNanos() {
            resolve();
            return end;
        }

        private void resolve() {
            if (events == null) {
                return;
            }
            ClException.check(clWaitForEvents(1, new cl_event[] {events.get(events.size() - 1)}), "clWaitForEvents");
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (cl_event e : events) {
                first = Math.min(first, profilingInfo(e, CL_PROFILING_COMMAND_START));
                last = Math.max(last, profilingInfo(e, CL_PROFILING_COMMAND_END));
            }
            for (cl_event e : events) {
                clReleaseEvent(e);
            }
            events = null;
            start = first;
            end = last;
        }

        private static long profilingInfo(cl_event e, int param) {
            long[] value = new long[1];
            ClException.check(clGetEventProfilingInfo(e, param, Long.BYTES, Pointer.to(value), null),
                    "clGetEventProfilingInfo");
            return value[0];
        }
    }
}
