package org.moescope.app.control.flame;

/** A box of a {@link FlameLayout}: its row (one of FlameLayout.DEPTH_*) and index in that row. */
public record FlameBox(int depth, int index) {
}
