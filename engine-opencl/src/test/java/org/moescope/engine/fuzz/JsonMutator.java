package org.moescope.engine.fuzz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Structural corruptions of a JSON document: a member removed, a value of the wrong type, a number out of range, an
 * empty or oversized string, an array emptied or grown. Nodes near the top are chosen as often as deep ones, so the
 * fields a loader reads first (sizes, dtype, shapes, the tokenizer's model type) are hit as often as list entries.
 */
final class JsonMutator {
    private final JsonElement root;

    /** A place in the tree: the member {@code key} of an object, or element {@code index} of an array. */
    private record Slot(JsonElement parent, String key, int index, String path, int depth) {
        JsonElement get() {
            return key != null ? parent.getAsJsonObject().get(key) : parent.getAsJsonArray().get(index);
        }

        void set(JsonElement value) {
            if (key != null) {
                parent.getAsJsonObject().add(key, value);
            } else {
                parent.getAsJsonArray().set(index, value);
            }
        }

        void remove() {
            if (key != null) {
                parent.getAsJsonObject().remove(key);
            } else {
                parent.getAsJsonArray().remove(index);
            }
        }
    }

    JsonMutator(String json) {
        this.root = JsonParser.parseString(json);
    }

    /** A corrupted copy of the document and what was done to it. */
    Corrupted mutate(Random r) {
        JsonElement copy = root.deepCopy();
        List<Slot> slots = new ArrayList<>();
        collect(copy, "$", 1, slots);
        int maxDepth = slots.stream().mapToInt(Slot::depth).max().orElse(1);
        // a depth first, then a slot at it: shallow fields are as likely as the thousands of list entries
        int depth = 1 + r.nextInt(Math.min(maxDepth, 4));
        List<Slot> atDepth = slots.stream().filter(s -> s.depth() == depth).toList();
        List<Slot> choices = atDepth.isEmpty() ? slots : atDepth;
        Slot slot = choices.get(r.nextInt(choices.size()));
        String what = corrupt(slot, r);
        return new Corrupted(copy.toString(), slot.path() + ": " + what);
    }

    record Corrupted(String json, String description) {
    }

    private static void collect(JsonElement e, String path, int depth, List<Slot> out) {
        if (e.isJsonObject()) {
            for (String key : e.getAsJsonObject().keySet()) {
                String p = path + "." + key;
                out.add(new Slot(e, key, -1, p, depth));
                collect(e.getAsJsonObject().get(key), p, depth + 1, out);
            }
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(e, null, i, p, depth));
                collect(a.get(i), p, depth + 1, out);
            }
        }
    }

    private static String corrupt(Slot slot, Random r) {
        JsonElement old = slot.get();
        switch (r.nextInt(8)) {
            case 0 -> {
                slot.remove();
                return "removed";
            }
            case 1, 2 -> {
                String n = SpecialValues.jsonNumber(r);
                slot.set(JsonParser.parseString(n));
                return "set to " + n;
            }
            case 3 -> {
                if (old.isJsonPrimitive() && old.getAsJsonPrimitive().isNumber()) {
                    String n = scaled(old.getAsJsonPrimitive().getAsString(), r);
                    slot.set(JsonParser.parseString(n));
                    return "number " + old + " set to " + n;
                }
                slot.set(new JsonPrimitive(""));
                return "set to \"\"";
            }
            case 4 -> {
                JsonElement[] wrong = {JsonNull.INSTANCE, new JsonPrimitive(true), new JsonPrimitive("abc"),
                    new JsonArray(), new JsonObject(), new JsonPrimitive("12"), new JsonPrimitive("BF16")};
                JsonElement w = wrong[r.nextInt(wrong.length)];
                slot.set(w);
                return "set to " + w;
            }
            case 5 -> {
                if (old.isJsonArray() && !old.getAsJsonArray().isEmpty()) {
                    JsonArray a = old.getAsJsonArray();
                    int copies = 1 + r.nextInt(3);
                    for (int i = 0; i < copies; i++) {
                        a.add(a.get(r.nextInt(a.size())).deepCopy());
                    }
                    return "array grown by " + copies + " copied elements";
                }
                JsonArray a = new JsonArray();
                a.add(old.deepCopy());
                a.add(old.deepCopy());
                slot.set(a);
                return "wrapped in a 2-element array";
            }
            case 6 -> {
                if (old.isJsonPrimitive() && old.getAsJsonPrimitive().isString()) {
                    String s = old.getAsString();
                    String t = s.isEmpty() ? "\u0000" : s.substring(0, r.nextInt(s.length())) + (char) r.nextInt(0x3000)
                            + s.substring(Math.min(s.length(), r.nextInt(s.length()) + 1));
                    slot.set(new JsonPrimitive(t));
                    return "string changed to " + new JsonPrimitive(t);
                }
                slot.set(new JsonPrimitive("x".repeat(1 + r.nextInt(100_000))));
                return "set to a long string";
            }
            default -> {
                if (old.isJsonArray()) {
                    slot.set(new JsonArray());
                    return "emptied";
                }
                if (old.isJsonObject()) {
                    slot.set(new JsonObject());
                    return "emptied";
                }
                slot.set(new JsonPrimitive(-1));
                return "set to -1";
            }
        }
    }

    /** {@code number} times or divided by a power of two, negated, or with a digit changed. */
    private static String scaled(String number, Random r) {
        try {
            long v = Long.parseLong(number);
            return switch (r.nextInt(4)) {
                case 0 -> Long.toString(v << (1 + r.nextInt(40)));
                case 1 -> Long.toString(-v);
                case 2 -> Long.toString(v + (r.nextBoolean() ? 1 : -1));
                default -> Long.toString(v >> (1 + r.nextInt(8)));
            };
        } catch (NumberFormatException e) {
            return r.nextBoolean() ? "-" + number : number + "0000";
        }
    }
}
