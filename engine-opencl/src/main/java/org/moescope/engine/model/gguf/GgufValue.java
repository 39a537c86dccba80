package org.moescope.engine.model.gguf;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.EngineException;

/**
 * One GGUF metadata value and its type. Every integer type is held as a Long (a UINT64 above Long.MAX_VALUE as its
 * two's-complement bits), FLOAT32 as Float, FLOAT64 as Double, BOOL as Boolean, STRING as String, ARRAY as
 * {@link GgufArray}. The accessors check the type and throw EngineException naming {@code key} otherwise.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Class<?> expected = switch (type) {
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
            default -> Long.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException("a GGUF " + type + " value must be a " + expected.getSimpleName()
                    + ", got " + (value == null ? "null" : value.getClass().getSimpleName()));
        }
    }

    public static GgufValue uint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue int32(long v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue strings(List<String> items) {
        return new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, new ArrayList<>(items)));
    }

    public static GgufValue int32s(int[] items) {
        List<Object> boxed = new ArrayList<>(items.length);
        for (int v : items) {
            boxed.add((long) v);
        }
        return new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.INT32, boxed));
    }

    /** Any integer type as a long. */
    public long asLong(String key) {
        if (!type.isInteger()) {
            throw wrongType(key, "an integer");
        }
        return (Long) value;
    }

    /** Any integer type that fits in an int. */
    public int asInt(String key) {
        long v = asLong(key);
        boolean unsigned = type == GgufValueType.UINT64;
        if ((unsigned && v < 0) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new EngineException("GGUF key '" + key + "' = " + (unsigned ? Long.toUnsignedString(v) : v)
                    + " does not fit in a 32-bit integer");
        }
        return (int) v;
    }

    /** FLOAT32, FLOAT64 or an integer, as a double. */
    public double asDouble(String key) {
        return switch (type) {
            case FLOAT32 -> (Float) value;
            case FLOAT64 -> (Double) value;
            default -> asLong(key);
        };
    }

    public boolean asBool(String key) {
        if (type != GgufValueType.BOOL) {
            throw wrongType(key, "a bool");
        }
        return (Boolean) value;
    }

    public String asString(String key) {
        if (type != GgufValueType.STRING) {
            throw wrongType(key, "a string");
        }
        return (String) value;
    }

    public GgufArray asArray(String key) {
        if (type != GgufValueType.ARRAY) {
            throw wrongType(key, "an array");
        }
        return (GgufArray) value;
    }

    /** An array of strings. */
    public List<String> asStrings(String key) {
        GgufArray a = asArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw wrongType(key, "an array of strings");
        }
        List<String> out = new ArrayList<>(a.size());
        for (Object o : a.items()) {
            out.add((String) o);
        }
        return out;
    }

    /** An array of integers that fit in an int. */
    public int[] asInts(String key) {
        GgufArray a = asArray(key);
        if (!a.elementType().isInteger()) {
            throw wrongType(key, "an array of integers");
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new GgufValue(a.elementType(), a.items().get(i)).asInt(key + "[" + i + "]");
        }
        return out;
    }

    private EngineException wrongType(String key, String expected) {
        String actual = type == GgufValueType.ARRAY ? "an array of " + ((GgufArray) value).elementType() : type.toString();
        return new EngineException("GGUF key '" + key + "' must be " + expected + ", but the file stores " + actual);
    }

    @Override
    public String toString() {
        return type + ":" + value;
    }
}
