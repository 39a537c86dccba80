package org.moescope.app.view.teach;

import java.util.List;

/**
 * One stop of the teaching walk.
 *
 * @param id    stable name for tests and links ("logits", "expert-2", "tiles")
 * @param title the heading shown large
 * @param lead  one or two sentences saying what happens here
 * @param lines the numbers of this run for this stop
 */
public record WalkPhase(String id, String title, String lead, List<WalkLine> lines) {
    public WalkPhase {
        lines = List.copyOf(lines);
    }
}
