package org.moescope.app.view;

import javafx.beans.property.BooleanProperty;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import org.controlsfx.control.ToggleSwitch;
import org.moescope.app.viewmodel.SessionViewModel;

/** The live kernel switches. Each is bound to the view model; a change applies from the next step. */
public final class SwitchPanel extends VBox {
    private final ToggleSwitch fused;
    private final ToggleSwitch hostTopk;
    private final ToggleSwitch direct;
    private final ToggleSwitch profiling;

    public SwitchPanel(SessionViewModel vm) {
        super(6);
        getStyleClass().add("switch-panel");
        Label title = new Label("Switches (apply from the next step)");
        title.getStyleClass().add("section-title");
        fused = toggle("Fused gate+up+SiLU", "fused-switch", vm.fusedGateUpSiluProperty(),
                "Decode: one kernel for gate GEMV, up GEMV and SiLU·mul instead of three");
        hostTopk = toggle("Host top-k", "host-topk-switch", vm.hostTopkProperty(),
                "Prefill: read router logits back and build top-k and dispatch on the host");
        direct = toggle("Direct dispatch", "direct-switch", vm.directDispatchProperty(),
                "Prefill: size the expert GEMM grid on the host from max-per-expert instead of the device work list");
        profiling = toggle("Profiling", "profiling-switch", vm.profilingProperty(),
                "Time every stage with device events (needed for the timeline)");
        getChildren().addAll(title, fused, hostTopk, direct, profiling);
    }

    private static ToggleSwitch toggle(String text, String id, BooleanProperty property, String tip) {
        ToggleSwitch toggle = new ToggleSwitch(text);
        toggle.setId(id);
        toggle.setMaxWidth(Double.MAX_VALUE);
        toggle.selectedProperty().bindBidirectional(property);
        toggle.setTooltip(new Tooltip(tip));
        return toggle;
    }

    public ToggleSwitch fused() {
        return fused;
    }

    public ToggleSwitch hostTopk() {
        return hostTopk;
    }

    public ToggleSwitch direct() {
        return direct;
    }

    public ToggleSwitch profiling() {
        return profiling;
    }
}
