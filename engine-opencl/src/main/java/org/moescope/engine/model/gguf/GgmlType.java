package org.moescope.engine.model.gguf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.moescope.engine.backend.DType;

/**
 * A ggml tensor type id as a GGUF tensor info stores it, and the {@link DType} it is stored as on the device. Only the
 * types MoEScope decodes have a DType; the others are known by name so that an error can say what a file holds.
 */
public final class GgmlType {

    /** ggml's type names by id (ggml.h's {@code enum ggml_type}); null for ids ggml retired or never used. */
    private static final String[] NAMES = {
        "F32", "F16", "Q4_0", "Q4_1", null, null, "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
        "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
        "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8", "TQ1_0", "TQ2_0", "IQ4_NL_4_4", "IQ4_NL_4_8", "IQ4_NL_8_8", "MXFP4",
        "NVFP4", "Q1_0", "Q2_0",
    };

    /** The ggml ids of the weight types MoEScope reads, in DType order. */
    private static final int[] SUPPORTED_IDS = {0, 1, 30, 8, 2, 6, 12, 13, 14};
    private static final DType[] SUPPORTED = {
        DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K,
    };

    private GgmlType() {
    }

    /** The DType of ggml type {@code id}, or null when MoEScope does not read that type. */
    public static DType dtypeOf(int id) {
        for (int i = 0; i < SUPPORTED_IDS.length; i++) {
            if (SUPPORTED_IDS[i] == id) {
                return SUPPORTED[i];
            }
        }
        return null;
    }

    /** The ggml type id that stores {@code dtype}; IllegalArgumentException for I32 (not a weight type). */
    public static int idOf(DType dtype) {
        for (int i = 0; i < SUPPORTED.length; i++) {
            if (SUPPORTED[i] == dtype) {
                return SUPPORTED_IDS[i];
            }
        }
        throw new IllegalArgumentException(dtype + " has no GGUF tensor type that MoEScope writes");
    }

    /** ggml's name of type {@code id} ("Q4_K", "IQ4_XS"), or "unknown type N". */
    public static String nameOf(int id) {
        if (id >= 0 && id < NAMES.length && NAMES[id] != null) {
            return NAMES[id];
        }
        return "unknown type " + id;
    }

    /** "F32, F16, BF16, Q8_0, ..." for error messages. */
    public static String supportedNames() {
        List<String> names = new ArrayList<>();
        for (DType d : SUPPORTED) {
            names.add(d.name());
        }
        return String.join(", ", names);
    }

    /** "Q4_K (12)": how an error names a type. */
    static String describe(int id) {
        return String.format(Locale.ROOT, "%s (ggml type %d)", nameOf(id), id);
    }
}
