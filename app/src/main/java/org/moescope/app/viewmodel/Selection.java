package org.moescope.app.viewmodel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * What the user has picked out of the run, shared by the views so that a pick in one shows in the others: the routing
 * views write a token (its step and row), a layer and an expert; the timeline writes the step and layer of a clicked
 * span; each reads what the others wrote. Views talk to this object, not to each other. FX thread only.
 */
public final class Selection {

    /**
     * One pick. Each part may be unknown (-1): a span in the timeline knows its step and layer but no token row or
     * expert; a layer chosen alone knows no step.
     *
     * @param step      session step number (as in {@code StepResult.step()} and the spans), or -1
     * @param rowInStep the token's row within the step (a prompt token in prefill, a sequence in batched decode), or
     *                  -1 for the step as a whole
     * @param layer     decoder layer number, or -1
     * @param expert    expert number, or -1
     * @param stage     a stage name of the layer's MoE block (e.g. "down", from the token inspector), or null
     */
    public record Target(int step, int rowInStep, int layer, int expert, String stage) {
        public static final Target NONE = new Target(-1, -1, -1, -1, null);

        /** A pick without a stage. */
        public Target(int step, int rowInStep, int layer, int expert) {
            this(step, rowInStep, layer, expert, null);
        }
    }

    /** The view a pick can be shown in (the View menu's "show in" actions). */
    public enum View { TIMELINE, ROUTING }

    private final ObjectProperty<Target> target = new SimpleObjectProperty<>(this, "target", Target.NONE);
    private final List<Consumer<View>> showListeners = new ArrayList<>();

    /** The current pick; never null ({@link Target#NONE} when nothing is picked). */
    public ObjectProperty<Target> targetProperty() {
        return target;
    }

    public Target target() {
        return target.get();
    }

    /** Picks {@code t} (null: nothing). */
    public void select(Target t) {
        target.set(t == null ? Target.NONE : t);
    }

    /** Asks for the current pick to be brought into view in {@code view} (switch to it, zoom to the pick). */
    public void show(View view) {
        for (Consumer<View> l : List.copyOf(showListeners)) {
            l.accept(view);
        }
    }

    /** Called on every {@link #show(View)}: the window switches tabs, a view zooms to the pick. */
    public void addShowListener(Consumer<View> listener) {
        showListeners.add(listener);
    }
}
