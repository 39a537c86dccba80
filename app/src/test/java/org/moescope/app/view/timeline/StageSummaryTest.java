package org.moescope.app.view.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

class StageSummaryTest {

    private static final MoeOptions OPT = MoeOptions.DEFAULT.withProfiling(true);

    @Test
    void rowsPerPhaseBlockStageWithShares() {
        List<StageSpan> spans = List.of(
                new StageSpan(0, Phase.PREFILL, 0, "moe", "gate", 8, OPT, 0, 6_000),
                new StageSpan(1, Phase.DECODE, 0, "moe", "route", 1, OPT, 10_000, 11_000),
                new StageSpan(2, Phase.DECODE, 0, "moe", "route", 1, OPT, 20_000, 23_000));
        StageSummary s = StageSummary.of(spans);
        assertEquals(10.0, s.totalMicros(), 1e-9);
        assertEquals(2, s.rows().size());
        StageSummary.Row gate = s.rows().get(0);
        assertEquals(Phase.PREFILL, gate.phase());
        assertEquals(0.6, gate.share(), 1e-12);
        StageSummary.Row route = s.rows().get(1);
        assertEquals("route", route.stage());
        assertEquals(2, route.calls());
        assertEquals(4.0, route.totalMicros(), 1e-9);
        assertEquals(2.0, route.meanMicros(), 1e-9);
        assertEquals(0.4, route.share(), 1e-12);
        assertEquals("3 spans, steps 0\u20132, 10.0 \u00b5s device time", s.caption());
    }

    @Test
    void formatsTimesAndEmptySelections() {
        assertEquals("850 ns", StageSummary.formatMicros(0.85));
        assertEquals("4.56 ms", StageSummary.formatMicros(4560));
        assertEquals("1.23 s", StageSummary.formatMicros(1_230_000));
        StageSummary empty = StageSummary.of(List.of());
        assertEquals(0, empty.rows().size());
        assertEquals(0.0, empty.totalMicros());
    }
}
