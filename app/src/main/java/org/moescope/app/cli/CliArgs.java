package org.moescope.app.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses "--name value" options and "--flag" switches of one subcommand, refusing unknown names
 * so a typo is an error, not a silently ignored option, and empty values, so "--model \"\"" is not the current folder.
 * "--help" or "-h" where an option may stand asks for the subcommand's usage ({@link HelpRequested}).
 */
final class CliArgs {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> flags = new ArrayList<>();

    private CliArgs(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value (without "--")
     * @param switches options that take none
     */
    static CliArgs parse(String command, String[] args, int from, Set<String> valued, Set<String> switches) {
        CliArgs parsed = new CliArgs(command);
        // help first, so that "--help" after a mistyped option still shows the usage; a value that reads "-h" is not it
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                throw new HelpRequested();
            }
            if (args[i].startsWith("--") && !args[i].contains("=") && valued.contains(args[i].substring(2))) {
                i++;
            }
        }
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (switches.contains(name) && inline == null) {
                parsed.flags.add(name);
            } else if (valued.contains(name)) {
                String v = inline;
                if (v == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    v = args[++i];
                }
                if (v.isEmpty() || (v.isBlank() && !name.equals("prompt"))) {
                    throw new UsageException(command + ": " + emptyValue(name));
                }
                if (parsed.values.containsKey(name)) {
                    throw new UsageException(command + ": --" + name + " is given twice ('" + parsed.values.get(name)
                            + "' and '" + v + "'); give it once");
                }
                parsed.values.put(name, v);
            } else {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
        return parsed;
    }

    /** Why an empty value is refused, and what to give instead. */
    private static String emptyValue(String name) {
        return switch (name) {
            case "model" -> "--model is empty: --model needs a path, a preset name, or omit it for the sample model";
            case "device" -> "--device is empty: give a device index or part of its name (moescope devices lists "
                    + "them), \"java\" for the Java reference, or omit it for the default device";
            case "prompt" -> "--prompt is empty: give the text to continue (at least one token), or --ids 1,2,3";
            default -> "--" + name + " is empty: give a value or leave the option out";
        };
    }

    /** The subcommand, for messages: "generate". */
    String command() {
        return command;
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return v;
    }

    boolean present(String name) {
        return values.containsKey(name);
    }

    int integer(String name, int fallback, int min) {
        return integer(name, fallback, min, Integer.MAX_VALUE, null);
    }

    /**
     * An integer in [min, max]; {@code why} (may be null) says where the maximum comes from, e.g. "the model's
     * context" or "each sequence holds its own KV cache".
     */
    int integer(String name, int fallback, int min, int max, String why) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        String t = v.trim();
        if (!t.matches("[+-]?\\d+")) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            n = t.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // more digits than a long holds
        }
        if (n > max) {
            throw new UsageException(command + ": --" + name + " must be at most " + max
                    + (why == null ? "" : " (" + why + ")") + ", got " + t);
        }
        if (n < min) {
            throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + t);
        }
        return (int) n;
    }

    long longValue(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
    }

    /** A number in [min, max], or in (min, max] when {@code minExcluded}; NaN and infinities are refused. */
    float number(String name, float fallback, float min, boolean minExcluded, float max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        float f;
        try {
            f = Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
        }
        boolean aboveMin = minExcluded ? f > min : f >= min;
        if (!(aboveMin && f <= max)) {
            throw new UsageException(command + ": --" + name + " must be in " + (minExcluded ? "(" : "[")
                    + readable(min) + ", " + readable(max) + "], got " + v.trim());
        }
        return f;
    }

    /** 1 rather than 1.0, 0.5 as it is. */
    static String readable(float f) {
        return f == Math.rint(f) && Math.abs(f) < 1e9 ? Long.toString((long) f) : Float.toString(f);
    }

    /** "1,2,3" → ids; refuses empty lists and non-numbers. */
    int[] ids(String name) {
        String v = required(name);
        String[] parts = v.split("[,\\s]+");
        List<Integer> out = new ArrayList<>();
        for (String p : parts) {
            if (p.isBlank()) {
                continue;
            }
            try {
                out.add(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException(command + ": --" + name + " must be comma-separated token ids, got '" + p + "'");
            }
        }
        if (out.isEmpty()) {
            throw new UsageException(command + ": --" + name + " is empty");
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** "--help" or "-h" among the options: the CLI prints the subcommand's usage and exits 0. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help", null, false, false);
        }
    }

    /** Thrown for bad command lines; the CLI prints it with the usage and exits 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
