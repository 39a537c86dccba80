package org.moescope.app.view.teach;

import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.engine.profile.StageSpan;

/** Selects one step's MoE block of one layer in the flame chart: the kernel timing of what the walk shows. */
public final class KernelTiming {
    private KernelTiming() {
    }

    /** Selects and zooms to the "moe" block of {@code layer} in {@code step}; false when the chart has no such spans. */
    public static boolean select(FlameChart chart, int step, int layer) {
        FlameLayout layout = chart.getLayout();
        if (layout == null) {
            return false;
        }
        for (int i = 0; i < layout.count(FlameLayout.DEPTH_BLOCK); i++) {
            StageSpan s = layout.firstSpan(FlameLayout.DEPTH_BLOCK, i);
            if (s.step() == step && s.layer() == layer && "moe".equals(s.block())) {
                chart.select(new FlameBox(FlameLayout.DEPTH_BLOCK, i));
                chart.fitSelectionOrAll();
                return true;
            }
        }
        return false;
    }
}
