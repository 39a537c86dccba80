package org.moescope.app.export;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.moescope.engine.profile.StageSpan;

/**
 * Writes stage spans as Chrome Trace Event JSON ({@code {"traceEvents": [...]}}), which Perfetto and
 * chrome://tracing open. Every stage is an "X" (complete) event with {@code ts}/{@code dur} in microseconds from
 * the first span; each (layer, block) gets its own track (tid), named "layer 3 · moe", ordered by layer; track 0
 * holds one event per step. Args carry step, phase, layer, tokens and the switch state.
 */
public final class ChromeTraceExporter {

    private static final int PID = 1;
    private static final List<String> BLOCK_ORDER = List.of("model", "attention", "mlp", "moe");

    private ChromeTraceExporter() {
    }

    /** Track key: layer then block (blocks in model order). */
    record Track(int layer, String block) implements Comparable<Track> {
        @Override
        public int compareTo(Track o) {
            int c = Integer.compare(layer, o.layer);
            if (c == 0) {
                c = Integer.compare(order(block), order(o.block));
            }
            return c != 0 ? c : block.compareTo(o.block);
        }

        private static int order(String b) {
            int i = BLOCK_ORDER.indexOf(b);
            return i < 0 ? BLOCK_ORDER.size() : i;
        }

        String name() {
            return (layer < 0 ? "model" : "layer " + layer) + " \u00b7 " + block;
        }
    }

    public static void write(List<StageSpan> spans, Path file) throws IOException {
        AtomicFileWriter.writeText(file, out -> write(spans, out));
    }

    /** Writes the trace of {@code spans} (any order) to {@code out}; does not close it. */
    public static void write(List<StageSpan> spans, Writer out) throws IOException {
        List<StageSpan> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(StageSpan::startNanos));
        long origin = sorted.isEmpty() ? 0 : sorted.get(0).startNanos();
        Map<Track, Integer> tids = new TreeMap<>();
        for (StageSpan s : sorted) {
            tids.put(new Track(s.layer(), s.block()), 0);
        }
        int next = 1;
        for (Map.Entry<Track, Integer> e : tids.entrySet()) {
            e.setValue(next++);
        }
        Map<Integer, long[]> stepExtent = new LinkedHashMap<>();
        Map<Integer, StageSpan> stepFirst = new LinkedHashMap<>();
        for (StageSpan s : sorted) {
            stepExtent.merge(s.step(), new long[] {s.startNanos(), s.endNanos()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            stepFirst.putIfAbsent(s.step(), s);
        }

        JsonWriter json = new JsonWriter(out);
        json.setIndent("");
        json.beginObject();
        json.name("displayTimeUnit").value("ns");
        json.name("traceEvents").beginArray();
        metadata(json, "process_name", 0, "name", "MoEScope");
        metadata(json, "thread_name", 0, "name", "steps");
        metadata(json, "thread_sort_index", 0, "sort_index", 0);
        for (Map.Entry<Track, Integer> e : tids.entrySet()) {
            metadata(json, "thread_name", e.getValue(), "name", e.getKey().name());
            metadata(json, "thread_sort_index", e.getValue(), "sort_index", e.getValue());
        }
        for (Map.Entry<Integer, long[]> e : stepExtent.entrySet()) {
            StageSpan first = stepFirst.get(e.getKey());
            json.beginObject();
            json.name("name").value("step " + e.getKey() + " " + first.phase().label());
            json.name("cat").value("step");
            json.name("ph").value("X");
            json.name("ts").value((e.getValue()[0] - origin) / 1000.0);
            json.name("dur").value((e.getValue()[1] - e.getValue()[0]) / 1000.0);
            json.name("pid").value(PID);
            json.name("tid").value(0);
            json.name("args").beginObject();
            json.name("step").value(first.step());
            json.name("phase").value(first.phase().label());
            json.name("tokens").value(first.tokens());
            options(json, first);
            json.endObject();
            json.endObject();
        }
        for (StageSpan s : sorted) {
            json.beginObject();
            json.name("name").value(s.stage());
            json.name("cat").value(s.block());
            json.name("ph").value("X");
            json.name("ts").value((s.startNanos() - origin) / 1000.0);
            json.name("dur").value(s.durationNanos() / 1000.0);
            json.name("pid").value(PID);
            json.name("tid").value(tids.get(new Track(s.layer(), s.block())));
            json.name("args").beginObject();
            json.name("step").value(s.step());
            json.name("phase").value(s.phase().label());
            json.name("layer").value(s.layer());
            json.name("block").value(s.block());
            json.name("tokens").value(s.tokens());
            options(json, s);
            json.endObject();
            json.endObject();
        }
        json.endArray();
        json.endObject();
        json.flush();
    }

    private static void options(JsonWriter json, StageSpan s) throws IOException {
        if (s.options() != null) {
            json.name("fused_gate_up_silu").value(s.options().fusedGateUpSilu());
            json.name("host_topk").value(s.options().hostTopk());
            json.name("direct_dispatch").value(s.options().directDispatch());
            json.name("q8_activations").value(s.options().q8Activations());
            json.name("switches").value(s.options().label());
        }
    }

    private static void metadata(JsonWriter json, String name, int tid, String key, Object value) throws IOException {
        json.beginObject();
        json.name("name").value(name);
        json.name("ph").value("M");
        json.name("pid").value(PID);
        json.name("tid").value(tid);
        json.name("args").beginObject();
        if (value instanceof Number n) {
            json.name(key).value(n);
        } else {
            json.name(key).value(String.valueOf(value));
        }
        json.endObject();
        json.endObject();
    }
}
