package org.moescope.app.view;

import javafx.beans.binding.Bindings;
import javafx.beans.property.BooleanProperty;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import org.controlsfx.control.ToggleSwitch;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.WeightTypes;

/** The live kernel switches. Each is bound to the view model; a change applies from the next step. */
public final class SwitchPanel extends VBox {
    static final String Q8_TIP = "Quantized experts (GGUF): quantize the expert inputs to Q8_0 once per layer and take"
            + " integer dot products, as llama.cpp does (stages quantize_q8 and *_q8 in the timeline). On float expert"
            + " weights (F32, F16, BF16) it changes nothing.";

    private final ToggleSwitch fused;
    private final ToggleSwitch hostTopk;
    private final ToggleSwitch direct;
    private final ToggleSwitch profiling;
    private final ToggleSwitch q8Activations;

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
        q8Activations = toggle("Q8 activations", "q8-activations-switch", vm.q8ActivationsProperty(), Q8_TIP);
        // the tooltip also says whether the loaded model's experts are quantized, i.e. whether the switch applies
        q8Activations.getTooltip().textProperty().bind(Bindings.createStringBinding(
                () -> q8Tip(vm.weightTypesProperty().get()), vm.weightTypesProperty()));
        profiling = toggle("Profiling", "profiling-switch", vm.profilingProperty(),
                "Time every stage with device events (needed for the timeline)");
        getChildren().addAll(title, fused, hostTopk, direct, q8Activations, profiling);
    }

    /** The Q8 tooltip, with a line on the loaded model when there is one. */
    static String q8Tip(WeightTypes types) {
        if (types == null || types.experts().isEmpty()) {
            return Q8_TIP;
        }
        String experts = String.join("/", types.experts().stream().map(DType::name).toList());
        return Q8_TIP + "\n\nThis model's experts are " + experts + (types.expertsQuantized()
                ? ": the switch applies." : ": the switch changes nothing here.");
    }

    private static ToggleSwitch toggle(String text, String id, BooleanProperty property, String tip) {
        ToggleSwitch toggle = new ToggleSwitch(text);
        toggle.setId(id);
        toggle.setMaxWidth(Double.MAX_VALUE);
        toggle.selectedProperty().bindBidirectional(property);
        Tooltip tooltip = new Tooltip(tip);
        tooltip.setWrapText(true);
        tooltip.setMaxWidth(420);
        toggle.setTooltip(tooltip);
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

    public ToggleSwitch q8Activations() {
        return q8Activations;
    }
}
