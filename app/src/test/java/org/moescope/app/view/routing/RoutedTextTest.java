package org.moescope.app.view.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StepRouting;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The coloured text of a long run shows a bounded number of tokens and follows the run without rebuilding. */
@ExtendWith(ApplicationExtension.class)
class RoutedTextTest {
    private static final int LAYERS = 2;
    private static final int LAYER = 1;
    private static final int PROMPT = 12;

    private RoutedText text;

    @Start
    void start(Stage stage) {
        text = new RoutedText();
        stage.setScene(new Scene(new ScrollPane(text), 800, 400));
        stage.show();
    }

    /** A prefill of {@link #PROMPT} tokens, then decode steps 1..{@code decodeSteps} of {@code batch} sequences. */
    private static List<StepRouting> routings(int decodeSteps, int batch) {
        List<StepRouting> steps = new ArrayList<>();
        steps.add(SyntheticRun.stepRouting(0, Phase.PREFILL, PROMPT, LAYERS, 8, 2, 7));
        for (int s = 1; s <= decodeSteps; s++) {
            steps.add(SyntheticRun.stepRouting(s, batch > 1 ? Phase.BATCHED_DECODE : Phase.DECODE, batch, LAYERS, 8, 2,
                    100 + s));
        }
        return steps;
    }

    private static String earlier(int count) {
        return String.format(Locale.ROOT, "\u2026 %,d earlier tokens\n", count);
    }

    /** Every label shows the token of its run row, and the rows ascend to the end of the run. */
    private static void assertLabelsShowTheirRows(RoutingRun run, List<Label> labels) {
        int previous = -1;
        for (Label l : labels) {
            int row = ((RoutedText) l.getParent()).rowOf(l);
            assertTrue(row > previous, "rows ascend: " + row + " after " + previous);
            previous = row;
            String shown = RoutingRun.printable(SyntheticSteps.tokenText(run.rows().get(row).tokenId()));
            assertEquals(shown, l.getText(), "row " + row);
        }
        assertEquals(run.rows().size() - 1, previous, "the last token is shown");
    }

    @Test
    void aLongRunShowsItsLastTokensUnderACountOfTheEarlierOnes(FxRobot robot) {
        RoutingRun run = new RoutingRun(routings(20_000, 1));
        int rows = run.rows().size();
        robot.interact(() -> text.show(run, LAYER, SyntheticSteps::tokenText));
        List<Label> labels = text.tokenLabels();
        assertEquals(RoutedText.MAX_TOKENS, labels.size());
        // a label per token, a line break after a token that has one, and the earlier-tokens line
        assertTrue(text.getChildren().size() <= 2 * RoutedText.MAX_TOKENS + 1, "nodes: " + text.getChildren().size());
        assertLabelsShowTheirRows(run, labels);
        assertEquals(List.of(earlier(rows - RoutedText.MAX_TOKENS)), text.earlierTokenLines());
        assertTrue(text.getChildren().get(0) instanceof Text t && t.getText().equals(earlier(rows - RoutedText.MAX_TOKENS)),
                "the earlier-tokens line comes first");
    }

    @Test
    void aRunThatGrowsAndDropsItsOldestStepsKeepsTheShownTokens(FxRobot robot) {
        List<StepRouting> all = routings(16_000, 1);
        RoutingRun before = new RoutingRun(all.subList(0, 15_000));
        robot.interact(() -> text.show(before, LAYER, SyntheticSteps::tokenText));
        List<Label> shownBefore = text.tokenLabels();

        // the step window dropped the oldest 1,000 steps and 300 new ones came
        RoutingRun after = new RoutingRun(all.subList(1_000, 15_300));
        robot.interact(() -> text.show(after, LAYER, SyntheticSteps::tokenText));
        List<Label> shownAfter = text.tokenLabels();
        assertEquals(RoutedText.MAX_TOKENS, shownAfter.size());
        for (int i = 0; i < RoutedText.MAX_TOKENS - 300; i++) {
            assertSame(shownBefore.get(300 + i), shownAfter.get(i), "kept, not rebuilt: label " + i);
        }
        assertLabelsShowTheirRows(after, shownAfter);
        assertEquals(List.of(earlier(after.rows().size() - RoutedText.MAX_TOKENS)), text.earlierTokenLines());

        // a kept label selects its row in the run shown now
        Label kept = shownAfter.get(0);
        robot.interact(() -> kept.getOnMouseClicked().handle(null));
        assertEquals(text.rowOf(kept), text.selectedRowProperty().get());
        assertEquals(before.rows().get(before.rows().size() - RoutedText.MAX_TOKENS + 300).step(),
                after.rows().get(text.rowOf(kept)).step(), "the same token");
    }

    @Test
    void anotherRunOfTheSameTokensIsShownAfresh(FxRobot robot) {
        RoutingRun first = new RoutingRun(routings(50, 1));
        RoutingRun second = new RoutingRun(routings(50, 1));
        robot.interact(() -> text.show(first, LAYER, SyntheticSteps::tokenText));
        Label last = text.tokenLabels().get(text.tokenLabels().size() - 1);
        robot.interact(() -> text.show(second, LAYER, SyntheticSteps::tokenText));
        assertTrue(text.tokenLabels().stream().noneMatch(l -> l == last), "its colours come from the new records");
        assertLabelsShowTheirRows(second, text.tokenLabels());
        assertEquals(List.of(""), text.earlierTokenLines());
    }

    @Test
    void aBatchedRunSharesTheBoundBetweenItsSequences(FxRobot robot) {
        List<StepRouting> all = routings(2_010, 3);
        RoutingRun run = new RoutingRun(all.subList(0, 2_001));
        robot.interact(() -> text.show(run, LAYER, SyntheticSteps::tokenText));
        List<Label> labels = text.tokenLabels();
        int perSequence = RoutedText.MAX_TOKENS / 3;
        assertEquals(3 * perSequence, labels.size());
        // sequence 0 also has the prompt
        assertEquals(List.of(earlier(PROMPT + 2_000 - perSequence), earlier(2_000 - perSequence),
                earlier(2_000 - perSequence)), text.earlierTokenLines());
        for (int s = 0; s < 3; s++) {
            Label lastOfSequence = labels.get((s + 1) * perSequence - 1);
            RoutingRun.TokenRow row = run.rows().get(text.rowOf(lastOfSequence));
            assertEquals(s, row.sequence());
            assertEquals(2_000, row.step(), "sequence " + s + " ends with its last token");
        }
        RoutingRun longer = new RoutingRun(all);
        Label kept = labels.get(perSequence + 20);
        robot.interact(() -> text.show(longer, LAYER, SyntheticSteps::tokenText));
        assertNotSame(kept, text.tokenLabels().get(perSequence + 20));
        assertSame(kept, text.tokenLabels().get(perSequence + 10), "sequence 1 moved on by ten tokens");
        assertEquals(3 * perSequence, text.tokenLabels().size());
    }
}
