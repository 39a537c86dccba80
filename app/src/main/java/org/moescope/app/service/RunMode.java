package org.moescope.app.service;

/** The run panel's actions that drive the engine. */
public enum RunMode {
    /** Start a new run: prefill the prompt (step 0) and stop. */
    PREFILL,
    /** One decode token for every sequence (prefills first when no run is active). */
    STEP,
    /** Decode until every sequence is finished or Stop (prefills first when no run is active). */
    GENERATE
}
