package org.moescope.app.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StepRouting;

class RoutingCsvExporterTest {

    @Test
    void oneLinePerTokenLayerAndRankWithTheEngineValues() throws Exception {
        StepRouting prefill = SyntheticRun.stepRouting(0, Phase.PREFILL, 3, 2, 8, 2, 5);
        StringWriter w = new StringWriter();
        List<StepRouting> steps = new ArrayList<>();
        steps.add(prefill);
        steps.add(null);
        RoutingCsvExporter.write(steps, id -> id == prefill.tokenIds()[1] ? "he said \"hi\", then" : "t" + id, w);
        List<List<String>> rows = parse(w.toString());
        assertEquals(RoutingCsvExporter.HEADER, String.join(",", rows.get(0)));
        assertEquals(1 + 2 * 3 * 2, rows.size());
        int line = 1;
        for (LayerRouting l : prefill.layers()) {
            for (int t = 0; t < 3; t++) {
                for (int j = 0; j < 2; j++, line++) {
                    List<String> r = rows.get(line);
                    assertEquals(12, r.size(), "line " + line);
                    assertEquals("prefill", r.get(1));
                    assertEquals(Integer.toString(t), r.get(2));
                    assertEquals(Integer.toString(prefill.tokenIds()[t]), r.get(5));
                    assertEquals(Integer.toString(l.layer()), r.get(7));
                    assertEquals(Integer.toString(j), r.get(8));
                    int expert = l.ids()[t * 2 + j];
                    assertEquals(Integer.toString(expert), r.get(9));
                    assertEquals(l.weights()[t * 2 + j], Float.parseFloat(r.get(10)), 1e-6);
                    assertEquals(l.probs()[t * 8 + expert], Float.parseFloat(r.get(11)), 1e-6);
                }
            }
        }
        assertEquals("he said \"hi\", then", rows.get(3).get(6));
    }

    @Test
    void tokenTextStaysOnOneLine() throws Exception {
        StepRouting step = SyntheticRun.stepRouting(0, Phase.PREFILL, 2, 1, 4, 1, 9);
        StringWriter w = new StringWriter();
        RoutingCsvExporter.write(List.of(step), id -> "a\nb\t\\c\r", w);
        String[] lines = w.toString().split("\r\n");
        assertEquals(3, lines.length);
        assertEquals("a\\nb\\t\\\\c\\r", parse(w.toString()).get(1).get(6));
    }

    @Test
    void anExportThatFailsMidwayLeavesTheOldFileAsItWas(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("routing.csv");
        StepRouting big = SyntheticRun.stepRouting(0, Phase.PREFILL, 512, 4, 16, 2, 3);
        RoutingCsvExporter.write(List.of(big), id -> "t" + id, file);
        byte[] old = Files.readAllBytes(file);
        int[] calls = {0};
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RoutingCsvExporter.write(
                List.of(big, big), id -> {
                    if (++calls[0] == 700) {   // well past the first 64 KiB written
                        throw new IllegalStateException("token text unavailable");
                    }
                    return "u" + id;
                }, file));
        assertEquals("token text unavailable", e.getMessage());
        assertArrayEquals(old, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
        }
    }

    /** RFC 4180 reader for the test: quoted fields may hold commas and doubled quotes. */
    private static List<List<String>> parse(String csv) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : csv.split("\r\n")) {
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    fields.add(f.toString());
                    f.setLength(0);
                } else {
                    f.append(c);
                }
            }
            fields.add(f.toString());
            rows.add(fields);
        }
        return rows;
    }
}
