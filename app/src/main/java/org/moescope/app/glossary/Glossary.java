package org.moescope.app.glossary;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The app's glossary: a sentence or two per profiler stage, balance metric and MoE term, read from
 * {@code glossary.properties} beside this class, for tooltips and the user guide. Keys are {@code stage.<name>}
 * ({@code stage.<block>.<name>} where a block uses the name differently), {@code block.}, {@code phase.},
 * {@code metric.} and {@code term.}. Stage, block and path lookups return null for a name without an entry (the
 * names come from the engine's data); metrics and terms are named in code and must exist.
 */
public final class Glossary {

    /** The resource, relative to this class. */
    public static final String RESOURCE = "glossary.properties";

    private static final Map<String, String> ENTRIES = load();

    private Glossary() {
    }

    private static Map<String, String> load() {
        // Properties loses the file's order; the user guide lists the entries in it, so read the keys in order too
        Properties p = new Properties();
        Map<String, String> ordered = new LinkedHashMap<>();
        try (InputStream in = Glossary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the glossary resource " + RESOURCE + " is missing from the app");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            p.load(new java.io.StringReader(text));
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
                    String key = line.substring(0, eq).trim();
                    ordered.put(key, p.getProperty(key));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the glossary resource " + RESOURCE, e);
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** Every entry, key to text, in the resource's order. */
    public static Map<String, String> entries() {
        return ENTRIES;
    }

    /** The entry of a stage the profiler emits in {@code block} ("moe", "attention", "mlp", "model"), or null. */
    public static String stage(String block, String stage) {
        if (stage == null) {
            return null;
        }
        String specific = block == null ? null : ENTRIES.get("stage." + block + "." + stage);
        return specific != null ? specific : ENTRIES.get("stage." + stage);
    }

    /** The entry of a stage name whatever its block (the MoE meaning where blocks differ), or null. */
    public static String stage(String stage) {
        return stage(null, stage);
    }

    /** A block ("moe", "attention", "mlp", "model"), or null. */
    public static String block(String block) {
        return ENTRIES.get("block." + block);
    }

    /** A path by its label ("prefill", "decode", "batched_decode"), or null. */
    public static String phase(String label) {
        return label == null ? null : ENTRIES.get("phase." + label.toLowerCase(Locale.ROOT).replace(' ', '_'));
    }

    /**
     * A balance or dashboard metric ("max_over_mean", "cv", ...). The views name these in code, so a missing one is a
     * mistake caught when the view is built: IllegalArgumentException.
     */
    public static String metric(String name) {
        return required("metric." + name);
    }

    /** An MoE term ("top_k", "expert", ...); IllegalArgumentException when missing, as for {@link #metric}. */
    public static String term(String name) {
        return required("term." + name);
    }

    private static String required(String key) {
        String entry = ENTRIES.get(key);
        if (entry == null) {
            throw new IllegalArgumentException("the glossary has no entry '" + key + "': add it to " + RESOURCE);
        }
        return entry;
    }

    /** Any of stage, block or phase for a flame-chart key or table word, or null. */
    public static String anyName(String name) {
        String s = stage(name);
        if (s == null) {
            s = block(name);
        }
        return s != null ? s : phase(name);
    }

    /** The first sentence of {@code entry} (up to its first ". "), for places with room for one line; null stays null. */
    public static String firstSentence(String entry) {
        if (entry == null) {
            return null;
        }
        int end = entry.indexOf(". ");
        return end < 0 ? entry : entry.substring(0, end + 1);
    }

    /** The entries as a Markdown table (the user guide's glossary section). */
    public static String markdown() {
        StringBuilder sb = new StringBuilder("| Name | Kind | Meaning |\n|---|---|---|\n");
        for (Map.Entry<String, String> e : ENTRIES.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String kind = key.substring(0, dot);
            String name = key.substring(dot + 1);
            if (kind.equals("stage") && name.contains(".")) {
                kind = "stage (" + name.substring(0, name.indexOf('.')) + ")";
                name = name.substring(name.indexOf('.') + 1);
            }
            sb.append("| `").append(name).append("` | ").append(kind).append(" | ")
                    .append(e.getValue().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
