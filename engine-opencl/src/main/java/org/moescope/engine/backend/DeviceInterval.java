package org.moescope.engine.backend;

/**
 * The device time span of the operations enqueued inside one timing window
 * ({@link Backend#beginTiming()} .. {@link Backend#endTiming()}).
 * Resolving may wait for the device; callers resolve once per step, never per stage,
 * so that profiling does not add a synchronisation per stage.
 */
public interface DeviceInterval {
    /** Start of the first operation, in nanoseconds on the backend's clock. */
    long startNanos();

    /** End of the last operation, in nanoseconds on the backend's clock. */
    long endNanos();

    /** A window in which no device operation was enqueued. */
    DeviceInterval EMPTY = new DeviceInterval() {
        @Override
        public long startNanos() {
            return 0;
        }

        @Override
        public long endNanos() {
            return 0;
        }
    };

    static DeviceInterval of(long startNanos, long endNanos) {
        return new DeviceInterval() {
            @Override
            public long startNanos() {
                return startNanos;
            }

            @Override
            public long endNanos() {
                return endNanos;
            }
        };
    }
}
