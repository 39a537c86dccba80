package org.moescope.app.service;

import javafx.concurrent.Task;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.RunReplay;

/** Traces one token through one MoE layer on the engine thread ({@link InferenceSession#traceToken}). */
public final class TokenTraceTask extends Task<MoeTokenTrace> {
    private final InferenceSession session;
    private final RunReplay replay;
    private final int step;
    private final int layer;
    private final int row;

    public TokenTraceTask(InferenceSession session, RunReplay replay, int step, int layer, int row) {
        this.session = session;
        this.replay = replay;
        this.step = step;
        this.layer = layer;
        this.row = row;
    }

    @Override
    protected MoeTokenTrace call() {
        updateMessage("Replaying the run to step " + step + " to trace layer " + layer);
        return session.traceToken(replay, step, layer, row);
    }
}
