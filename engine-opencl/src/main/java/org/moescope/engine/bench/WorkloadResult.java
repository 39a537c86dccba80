package org.moescope.engine.bench;

import java.util.List;
import java.util.Optional;
import org.moescope.engine.moe.MoeOptions;

/** Every measured switch combination of one workload. */
public record WorkloadResult(Workload workload, List<VariantResult> variants) {

    public WorkloadResult {
        variants = List.copyOf(variants);
    }

    /** The default fast path (fused, device top-k, indirect) when it was measured: the baseline of differences. */
    public Optional<VariantResult> baseline() {
        return variants.stream().filter(v -> v.options().equals(MoeOptions.DEFAULT)).findFirst();
    }
}
