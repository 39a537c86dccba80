package org.moescope.app.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

class ChromeTraceExporterTest {

    private static JsonObject export(List<StageSpan> spans) throws Exception {
        StringWriter w = new StringWriter();
        ChromeTraceExporter.write(spans, w);
        return JsonParser.parseString(w.toString()).getAsJsonObject();
    }

    @Test
    void everySpanBecomesAnXEventInMicrosecondsOnItsLayerBlockTrack() throws Exception {
        List<StageSpan> spans = SyntheticRun.runSpans(2, 4, 2, 1_500);
        JsonArray events = export(spans).getAsJsonArray("traceEvents");
        Map<Integer, String> trackNames = new HashMap<>();
        int stageEvents = 0;
        int stepEvents = 0;
        long origin = spans.get(0).startNanos();
        Map<String, Integer> tidOfTrack = new HashMap<>();
        for (JsonElement el : events) {
            JsonObject e = el.getAsJsonObject();
            String ph = e.get("ph").getAsString();
            if (ph.equals("M") && e.get("name").getAsString().equals("thread_name")) {
                trackNames.put(e.get("tid").getAsInt(), e.getAsJsonObject("args").get("name").getAsString());
            } else if (ph.equals("X") && e.get("cat").getAsString().equals("step")) {
                stepEvents++;
                assertEquals(0, e.get("tid").getAsInt());
            } else if (ph.equals("X")) {
                StageSpan s = spans.get(stageEvents++);
                assertEquals(s.stage(), e.get("name").getAsString());
                assertEquals((s.startNanos() - origin) / 1000.0, e.get("ts").getAsDouble(), 1e-9);
                assertEquals(s.durationNanos() / 1000.0, e.get("dur").getAsDouble(), 1e-9);
                JsonObject args = e.getAsJsonObject("args");
                assertEquals(s.step(), args.get("step").getAsInt());
                assertEquals(s.layer(), args.get("layer").getAsInt());
                assertEquals(s.tokens(), args.get("tokens").getAsInt());
                assertEquals(s.options().fusedGateUpSilu(), args.get("fused_gate_up_silu").getAsBoolean());
                assertEquals(s.options().hostTopk(), args.get("host_topk").getAsBoolean());
                assertEquals(s.options().directDispatch(), args.get("direct_dispatch").getAsBoolean());
                assertEquals(s.options().q8Activations(), args.get("q8_activations").getAsBoolean());
                String track = s.layer() + "/" + s.block();
                int tid = e.get("tid").getAsInt();
                assertEquals(tidOfTrack.computeIfAbsent(track, k -> tid), tid, "one tid per layer/block");
            }
        }
        assertEquals(spans.size(), stageEvents);
        assertEquals(3, stepEvents);
        // model, layer 0 attention/moe, layer 1 attention/moe, plus the steps track
        assertEquals(6, trackNames.size());
        assertEquals("steps", trackNames.get(0));
        assertEquals("model \u00b7 model", trackNames.get(1));
        assertEquals("layer 0 \u00b7 attention", trackNames.get(2));
        assertEquals("layer 0 \u00b7 moe", trackNames.get(3));
        Set<Integer> distinct = new HashSet<>(tidOfTrack.values());
        assertEquals(5, distinct.size());
    }

    @Test
    void emptyTraceIsStillValidJson() throws Exception {
        JsonObject o = export(List.of());
        assertEquals(3, o.getAsJsonArray("traceEvents").size());
    }

    @Test
    void unsortedInputIsWrittenInTimeOrder() throws Exception {
        MoeOptions opt = MoeOptions.DEFAULT.withProfiling(true);
        List<StageSpan> spans = List.of(
                new StageSpan(0, Phase.DECODE, 0, "moe", "down", 1, opt, 3_000, 4_000),
                new StageSpan(0, Phase.DECODE, 0, "moe", "route", 1, opt, 1_000, 2_000));
        JsonArray events = export(spans).getAsJsonArray("traceEvents");
        double last = -1;
        for (JsonElement el : events) {
            JsonObject e = el.getAsJsonObject();
            if (e.get("ph").getAsString().equals("X") && !e.get("cat").getAsString().equals("step")) {
                assertTrue(e.get("ts").getAsDouble() > last);
                last = e.get("ts").getAsDouble();
            }
        }
        assertEquals(2.0, last, 1e-9);
    }

    @Test
    void aFailedExportLeavesTheOldTraceAsItWas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("trace.json");
        List<StageSpan> run = SyntheticRun.runSpans(2, 8, 4, 1000);
        ChromeTraceExporter.write(run, file);
        byte[] old = Files.readAllBytes(file);
        List<StageSpan> broken = new ArrayList<>(run);
        broken.add(null);
        assertThrows(NullPointerException.class, () -> ChromeTraceExporter.write(broken, file));
        assertArrayEquals(old, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }
}
