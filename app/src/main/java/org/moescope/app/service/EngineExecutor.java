package org.moescope.app.service;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The one thread that touches the inference session (the session is single-threaded). Every engine task of the
 * app runs here, in submission order, so the FX thread never waits on the engine.
 */
public final class EngineExecutor {
    private static final ExecutorService INSTANCE = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "moescope-engine");
        t.setDaemon(true);
        return t;
    });

    private EngineExecutor() {
    }

    public static ExecutorService get() {
        return INSTANCE;
    }
}
