package org.moescope.app.service;

import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.SamplingSettings;

/**
 * Runs every kernel variant once right after a model loads, so that one-time costs (OpenCL program builds,
 * first-touch allocations) are paid during the load and not charged to the user's first prefill and decode steps:
 * without it, the first steps of a run on an OpenCL device show seconds of compile time as stage time.
 * A two-token prefill with device routing and indirect dispatch, one with host top-k and direct dispatch, then a
 * decode step fused and one unfused, all profiled and with routing captured as the app's runs are; the session is
 * reset afterwards.
 */
public final class KernelWarmUp {
    private KernelWarmUp() {
    }

    public static void run(InferenceSession session) {
        int[] prompt = {0, 0};
        try {
            MoeOptions device = new MoeOptions(true, false, false, true);
            session.prefill(prompt, 1, 3, SamplingSettings.GREEDY, device.withHostTopk(true).withDirectDispatch(true), true);
            session.prefill(prompt, 1, 3, SamplingSettings.GREEDY, device, true);
            if (!session.finished()) {
                session.step(device, true);
            }
            if (!session.finished()) {
                session.step(device.withFusedGateUpSilu(false), true);
            }
        } finally {
            session.reset();
        }
    }
}
