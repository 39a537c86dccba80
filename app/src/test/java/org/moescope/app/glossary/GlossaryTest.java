package org.moescope.app.glossary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.moescope.app.control.flame.FlameText;
import org.moescope.engine.profile.Phase;

/** Lookups: a block's own meaning of a stage name first, then the name's; paths by their label. */
class GlossaryTest {

    @Test
    void aBlockSpecificEntryWinsOverTheStageName() {
        String dense = Glossary.entries().get("stage.mlp.gate");
        String moe = Glossary.entries().get("stage.gate");
        assertNotNull(dense);
        assertNotNull(moe);
        assertNotEquals(dense, moe);
        assertEquals(dense, Glossary.stage("mlp", "gate"));
        assertEquals(moe, Glossary.stage("moe", "gate"));
        assertEquals(moe, Glossary.stage("gate"));
        // a block without its own meaning of a stage falls back to the name's
        assertEquals(Glossary.entries().get("stage.residual"), Glossary.stage("mlp", "residual"));
        assertNull(Glossary.stage("moe", "no_such_stage"));
        assertNull(Glossary.stage("moe", null));
    }

    @Test
    void pathsBlocksAndNamesResolve() {
        assertEquals(Glossary.entries().get("phase.batched_decode"), Glossary.phase(Phase.BATCHED_DECODE.label()));
        assertEquals(Glossary.entries().get("block.moe"), Glossary.anyName("moe"));
        assertEquals(Glossary.entries().get("stage.wsum"), Glossary.anyName("wsum"));
        assertEquals(Glossary.entries().get("phase.prefill"), Glossary.anyName("prefill"));
        assertNull(Glossary.anyName("nothing"));
    }

    @Test
    void aMetricOrTermThatIsMissingIsAnError() {
        assertEquals(Glossary.entries().get("metric.cv"), Glossary.metric("cv"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Glossary.term("no_such_term"));
        assertTrue(e.getMessage().contains("term.no_such_term") && e.getMessage().contains(Glossary.RESOURCE),
                e.getMessage());
    }

    @Test
    void theMarkdownTableHasARowPerEntryInTheResourcesOrder() {
        String md = Glossary.markdown();
        String[] lines = md.split("\n");
        assertEquals(Glossary.entries().size() + 2, lines.length);
        assertTrue(lines[2].startsWith("| `embed` | stage | "), lines[2]);
        assertTrue(md.contains("| `gate` | stage (mlp) | " + Glossary.stage("mlp", "gate") + " |"), md);
    }

    @Test
    void theFirstSentenceEndsAtTheFirstFullStop() {
        String wsum = Glossary.stage("moe", "wsum");
        String first = Glossary.firstSentence(wsum);
        assertTrue(wsum.startsWith(first) && first.endsWith(".") && first.length() < wsum.length(), first);
        assertEquals(Glossary.metric("cv").substring(0, Glossary.metric("cv").indexOf(". ") + 1),
                Glossary.firstSentence(Glossary.metric("cv")));
        String one = Glossary.stage("moe", "gate_up_silu_q8");
        assertEquals(one, Glossary.firstSentence(one));
        assertNull(Glossary.firstSentence(null));
    }

    @Test
    void everyStageBlockAndPathOpensWithASentenceThatFitsOneHoverLine() {
        for (var e : Glossary.entries().entrySet()) {
            if (e.getKey().matches("(stage|block|phase)\\..*")) {
                String first = Glossary.firstSentence(e.getValue());
                assertTrue(first.length() <= FlameText.WRAP_COLUMNS, e.getKey() + " opens with " + first.length()
                        + " characters, more than the flame chart's hover line: " + first);
            }
        }
    }

    @Test
    void wrappingKeepsEveryWordAndTheWidth() {
        String entry = Glossary.stage("moe", "gate_up_silu");
        String wrapped = FlameText.wrap(entry, 40);
        assertEquals(entry, wrapped.replace('\n', ' '));
        for (String line : wrapped.split("\n")) {
            assertTrue(line.length() <= 40, line);
        }
        assertTrue(wrapped.split("\n").length > 1);
    }
}
