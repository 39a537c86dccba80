package org.moescope.engine.model.gguf;

import java.util.List;

/**
 * A GGUF metadata array: elements of one type, held as {@link GgufValue#value()} holds a single value of that type
 * (Long for the integers, Float, Double, Boolean, String, or a nested GgufArray).
 */
public record GgufArray(GgufValueType elementType, List<Object> items) {

    public GgufArray {
        items = List.copyOf(items);
    }

    public int size() {
        return items.size();
    }
}
