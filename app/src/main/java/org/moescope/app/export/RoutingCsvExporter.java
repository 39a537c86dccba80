package org.moescope.app.export;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.StepRouting;

/**
 * Writes routing decisions as CSV (RFC 4180), one line per (step, token row, MoE layer, top-k rank):
 * {@value #HEADER}. {@code prob} is the full softmax probability of the chosen expert, empty when the engine did not
 * keep probabilities. Long format so pandas/R can pivot it any way. {@code token_text} has C-style escapes for
 * backslash, newline, carriage return and tab, so every record is one physical line (grep and wc work on it).
 */
public final class RoutingCsvExporter {

    public static final String HEADER = "step,phase,row,sequence,position,token_id,token_text,layer,rank,expert,weight,prob";

    private RoutingCsvExporter() {
    }

    public static void write(List<StepRouting> routings, IntFunction<String> tokenText, Path file) throws IOException {
        AtomicFileWriter.writeText(file, out -> write(routings, tokenText, out));
    }

    /** Writes {@code routings} (null entries skipped) to {@code out}; does not close it. */
    public static void write(List<StepRouting> routings, IntFunction<String> tokenText, Writer out) throws IOException {
        out.write(HEADER);
        out.write("\r\n");
        for (StepRouting r : routings) {
            if (r == null) {
                continue;
            }
            for (LayerRouting l : r.layers()) {
                for (int t = 0; t < l.tokens(); t++) {
                    String prefix = r.step() + "," + r.phase().label() + "," + t + "," + r.sequences()[t] + ","
                            + r.positions()[t] + "," + r.tokenIds()[t] + "," + quote(escape(tokenText.apply(r.tokenIds()[t])))
                            + "," + l.layer() + ",";
                    for (int j = 0; j < l.k(); j++) {
                        int expert = l.ids()[t * l.k() + j];
                        out.write(prefix);
                        out.write(j + "," + expert + "," + number(l.weights()[t * l.k() + j]) + ",");
                        if (l.probs() != null) {
                            out.write(number(l.probs()[t * l.experts() + expert]));
                        }
                        out.write("\r\n");
                    }
                }
            }
        }
        out.flush();
    }

    /** Token text on one line: backslash, LF, CR and tab written as \\, \n, \r, \t. */
    static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A CSV field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
    static String quote(String field) {
        String f = field == null ? "" : field;
        if (f.indexOf(',') < 0 && f.indexOf('"') < 0 && f.indexOf('\n') < 0 && f.indexOf('\r') < 0) {
            return f;
        }
        return '"' + f.replace("\"", "\"\"") + '"';
    }

    private static String number(float v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
