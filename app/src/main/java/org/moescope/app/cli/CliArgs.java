package org.moescope.app.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses "--name value" options and "--flag" switches of one subcommand, refusing unknown names
 * so a typo is an error, not a silently ignored option.
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
                parsed.values.put(name, v);
            } else {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
        return parsed;
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
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
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

    float number(String name, float fallback, float min, float max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            float f = Float.parseFloat(v.trim());
            if (!(f >= min && f <= max)) {
                throw new UsageException(command + ": --" + name + " must be in [" + min + ", " + max + "], got " + v);
            }
            return f;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a number, got '" + v + "'");
        }
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

    /** Thrown for bad command lines; the CLI prints it with the usage and exits 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
