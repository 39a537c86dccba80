package org.moescope.app.view;

import java.util.Locale;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightTypes;

/** One paragraph about the loaded model for the run panel: name and device, shape, and the weights' stored types. */
final class ModelSummary {
    private ModelSummary() {
    }

    static String of(SessionViewModel vm) {
        ModelConfig c = vm.configProperty().get();
        if (c == null) {
            return "No model loaded.";
        }
        String device = vm.loadedDeviceProperty().get() == null ? "" : " on " + vm.loadedDeviceProperty().get().name();
        WeightTypes types = vm.weightTypesProperty().get();
        String weights = types == null ? c.dtype().toString() : types.summary();
        return String.format(Locale.ROOT, "%s%s%n%d layers · hidden %d · %d experts, top-%d · expert FFN %d · vocab %d%n%s",
                vm.modelNameProperty().get(), device, c.numHiddenLayers(), c.hiddenSize(), c.numExperts(),
                c.numExpertsPerTok(), c.moeIntermediateSize(), c.vocabSize(), weights);
    }
}
