package org.moescope.app.view.teach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moescope.app.service.RunReplays;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SampleModel;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;

/** The walk of decode, prefill and batched decode traces of the sample model: its stops, and the run's numbers in them. */
class TeachingWalkTest {
    private static final IntFunction<String> TEXT = id -> "t" + id;
    private static InferenceSession session;
    private static MoeTokenTrace prefill;
    private static MoeTokenTrace decode;
    private static MoeTokenTrace batched;

    @BeforeAll
    static void traces() {
        session = InferenceSession.open(new ModelSource.Folder(SampleModel.locate()), new JavaBackend(), null);
        int[] prompt = session.encode("There was a young lady of Riga");
        List<StepResult> one = new ArrayList<>();
        one.add(session.prefill(prompt, 1, 3, SamplingSettings.GREEDY, MoeOptions.DEFAULT, true));
        one.add(session.step(MoeOptions.DEFAULT, true));
        prefill = session.traceToken(RunReplays.of(one), 0, 1, 4);
        decode = session.traceToken(RunReplays.of(one), 1, 2, 0);
        List<StepResult> two = new ArrayList<>();
        two.add(session.prefill(prompt, 3, 3, new SamplingSettings(1f, 1f, 3), MoeOptions.DEFAULT, true));
        two.add(session.step(MoeOptions.DEFAULT, true));
        batched = session.traceToken(RunReplays.of(two), 1, 0, 2);
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static List<String> ids(TeachingWalk w) {
        return w.phases().stream().map(WalkPhase::id).toList();
    }

    @Test
    void decodeWalkGoesFromTheHiddenStateThroughEachExpertToTheResidual() {
        TeachingWalk w = TeachingWalk.of(decode, TEXT);
        int k = decode.shape().topK();
        List<String> expected = new ArrayList<>(List.of("token", "hidden", "norm", "logits", "softmax", "topk",
                "renorm", "dispatch"));
        for (int s = 0; s < k; s++) {
            expected.add("expert-" + s);
        }
        expected.addAll(List.of("wsum", "residual"));
        assertEquals(expected, ids(w));
        assertEquals(Phase.DECODE, decode.phase());
    }

    @Test
    void prefillWalkShowsTheGroupedDispatchOfTheWholePrompt() {
        TeachingWalk w = TeachingWalk.of(prefill, TEXT);
        List<String> ids = ids(w);
        int dispatch = ids.indexOf("dispatch");
        assertEquals(List.of("dispatch", "tokens-per-expert", "work-list", "tiles"), ids.subList(dispatch, dispatch + 4));
        assertTrue(ids.indexOf("tiles") < ids.indexOf("expert-0"));
        // the counts shown for this token's experts are the step's routing, counted here independently
        LayerRouting r = prefill.layerRouting();
        WalkPhase counts = w.phases().get(w.indexOf("tokens-per-expert"));
        for (MoeTokenTrace.ExpertPass pass : prefill.experts()) {
            int n = 0;
            for (int id : r.ids()) {
                n += id == pass.expert() ? 1 : 0;
            }
            List<String> cells = counts.lines().get(1).cells().stream().map(WalkCell::text).toList();
            int at = cells.indexOf("expert " + pass.expert() + " ★");
            assertTrue(at > 0, cells.toString());
            assertEquals(Integer.toString(n), cells.get(at + 1), "pairs of expert " + pass.expert());
        }
        // the work list: this token's pair sits after the expert's pairs with lower ids (ascending within an expert)
        int k = r.k();
        int tileRows = prefill.tileRows();
        WalkPhase work = w.phases().get(w.indexOf("work-list"));
        WalkPhase tiles = w.phases().get(w.indexOf("tiles"));
        for (MoeTokenTrace.ExpertPass pass : prefill.experts()) {
            int pair = prefill.row() * k + pass.slot();
            int before = 0;
            for (int p = 0; p < pair; p++) {
                before += r.ids()[p] == pass.expert() ? 1 : 0;
            }
            List<WalkCell> row = work.lines().get(pass.slot()).cells();
            assertEquals(before, (int) row.get(row.size() - 1).value(), "row of pair " + pair + " in its expert's group");
            List<WalkCell> tile = tiles.lines().get(2).cells();
            assertEquals(before / tileRows, (int) tile.get(2 + 4 * pass.slot()).value(), "tile of pair " + pair);
        }
        int[] perExpert = new int[r.experts()];
        for (int id : r.ids()) {
            perExpert[id]++;
        }
        int withWork = 0;
        for (int c : perExpert) {
            withWork += (c + tileRows - 1) / tileRows;
        }
        assertEquals(Integer.toString(tileRows), tiles.lines().get(0).cells().get(1).text());
        assertEquals(withWork, (int) tiles.lines().get(0).cells().get(3).value(), "tiles with work");
    }

    @Test
    void batchedWalkListsEverySequencesPairs() {
        TeachingWalk w = TeachingWalk.of(batched, TEXT);
        assertEquals(Phase.BATCHED_DECODE, batched.phase());
        WalkPhase pairs = w.phases().get(w.indexOf("pairs"));
        LayerRouting r = batched.layerRouting();
        int k = r.k();
        for (int row = 0; row < r.tokens(); row++) {
            WalkLine line = pairs.lines().get(row);
            for (int s = 0; s < k; s++) {
                assertEquals(r.ids()[row * k + s], (int) line.cells().get(1 + s).value(), "row " + row + " slot " + s);
            }
            assertEquals(row == batched.row(), line.cells().get(0).text().startsWith("★"));
        }
        assertTrue(w.indexOf("tokens-per-expert") < 0, "no grouped dispatch in batched decode");
    }

    @Test
    void theNumbersShownAreTheTracesNumbers() {
        for (MoeTokenTrace t : List.of(decode, prefill, batched)) {
            TeachingWalk w = TeachingWalk.of(t, TEXT);
            assertVector(w, "hidden", 0, t.residualIn());
            assertVector(w, "norm", 0, t.normedIn());
            assertVector(w, "logits", 0, t.logits());
            assertVector(w, "softmax", 0, t.probs());
            for (MoeTokenTrace.ExpertPass pass : t.experts()) {
                String id = "expert-" + pass.slot();
                assertTrue(w.phases().get(w.indexOf(id)).title().startsWith("Expert " + pass.expert() + " "));
                assertVector(w, id, 0, pass.gate());
                assertVector(w, id, 1, pass.up());
                assertVector(w, id, 2, pass.act());
                assertVector(w, id, 3, pass.down());
            }
            WalkPhase renorm = w.phases().get(w.indexOf("renorm"));
            for (int s = 0; s < t.experts().size(); s++) {
                List<WalkCell> cells = renorm.lines().get(s).cells();
                assertEquals(t.experts().get(s).weight(), cells.get(cells.size() - 1).value(), 0.0);
            }
            assertEquals(t.shape().normTopk() ? "Renormalisation" : "No renormalisation", renorm.title());
            WalkPhase wsum = w.phases().get(w.indexOf("wsum"));
            assertVectorLine(wsum.lines().get(t.experts().size()), t.weightedSum());
            assertVectorLine(wsum.lines().get(t.experts().size() + 1), t.deviceOutput());
            assertVector(w, "residual", 2, t.residualOut());
        }
    }

    private static void assertVector(TeachingWalk w, String phase, int line, float[] v) {
        assertVectorLine(w.phases().get(w.indexOf(phase)).lines().get(line), v);
    }

    /** Shape, the first elements (all of a short vector) and the norm, as numbers and as text. */
    private static void assertVectorLine(WalkLine line, float[] v) {
        List<WalkCell> numbers = line.cells().stream().filter(WalkCell::isNumber).toList();
        int shown = v.length <= NumberText.SHOWN_WHOLE ? v.length : NumberText.PREVIEW;
        assertEquals(shown + 1, numbers.size(), line.text());
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            norm += (double) v[i] * v[i];
        }
        for (int i = 0; i < shown; i++) {
            assertEquals(v[i], numbers.get(i).value(), 0.0, "element " + i + " of " + line.text());
            assertEquals(NumberText.format(v[i]), numbers.get(i).text());
        }
        assertEquals(Math.sqrt(norm), numbers.get(shown).value(), 1e-9 * (1 + Math.sqrt(norm)));
        assertTrue(line.text().contains(Integer.toString(v.length)), "the shape names the length: " + line.text());
    }
}
