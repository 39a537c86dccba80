package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.EngineException;

/**
 * The split chosen by {@code tokenizer.ggml.pre}, on a tiny vocabulary whose expected ids are worked out by hand from
 * llama.cpp's regexes: ids 0..255 are the 256 bytes in GPT-2's byte-level alphabet (id = byte value), then a few
 * merges that only a piece which keeps its characters together can use.
 */
class GgufPreTokenizerTest {

    // merged tokens, in merge priority order
    static final int ID_12 = 256;       // "1 2"
    static final int ID_123 = 257;      // "12 3"
    static final int ID_APOS_T = 258;   // "' T"
    static final int ID_DO = 259;       // "D O"
    static final int ID_DON = 260;      // "DO N"
    static final int ID_DOLLAR_A = 261; // "$ a"
    static final int ID_SPACE_4 = 262;  // "Ġ 4"
    static final int ID_BANG_NL = 263;  // "! Ċ"
    static final int ID_NL_NL = 264;    // "Ċ Ċ"
    static final int ID_THINK = 265;    // <think>, user-defined
    static final int ID_IM_START = 266; // <|im_start|>, control

    /** GPT-2's byte-to-character map: printable Latin-1 bytes stand for themselves, the rest for 256 + n in order. */
    static String byteChar(int b) {
        int n = 0;
        for (int x = 0; x < 256; x++) {
            boolean printable = (x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (x == b) {
                return String.valueOf((char) (printable ? x : 256 + n));
            }
            if (!printable) {
                n++;
            }
        }
        throw new IllegalArgumentException("not a byte: " + b);
    }

    static GgufVocabulary tinyVocabulary(String pre, boolean addBos, Integer bos) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(byteChar(b));
        }
        String nl = byteChar('\n');
        String sp = byteChar(' ');
        tokens.addAll(List.of("12", "123", "'T", "DO", "DON", "$a", sp + "4", "!" + nl, nl + nl, "<think>", "<|im_start|>"));
        List<String> merges = List.of("1 2", "12 3", "' T", "D O", "DO N", "$ a", sp + " 4", "! " + nl, nl + " " + nl);
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[ID_THINK] = 4;
        types[ID_IM_START] = 3;
        return new GgufVocabulary("gpt2", pre, tokens, merges, types, bos, bos, addBos, null);
    }

    static int[] encode(String pre, String text) {
        try (TextTokenizer t = TextTokenizer.fromGguf(tinyVocabulary(pre, false, null))) {
            return t.encode(text);
        }
    }

    @Test
    void qwen2SplitsDigitsOneByOneWhereGpt2KeepsARun() {
        // gpt-2: " ?\p{N}+" keeps "123" and " 4" whole; qwen2: "\p{N}" takes one digit, the space stays alone
        assertArrayEquals(new int[] {ID_123}, encode("gpt-2", "123"));
        assertArrayEquals(new int[] {'1', '2', '3'}, encode("qwen2", "123"));
        assertArrayEquals(new int[] {ID_SPACE_4}, encode("gpt-2", " 4"));
        assertArrayEquals(new int[] {' ', '4'}, encode("qwen2", " 4"));
    }

    @Test
    void qwen2MatchesContractionsInAnyCase() {
        // gpt-2's 't is lowercase only: "DON", "'", "T"; qwen2's (?i:'t): "DON", "'T"
        assertArrayEquals(new int[] {ID_DON, '\'', 'T'}, encode("gpt-2", "DON'T"));
        assertArrayEquals(new int[] {ID_DON, ID_APOS_T}, encode("qwen2", "DON'T"));
    }

    @Test
    void qwen2LetsALetterRunTakeOneLeadingSymbolAndPunctuationKeepItsNewlines() {
        // qwen2 "[^\r\n\p{L}\p{N}]?\p{L}+": "$a" one piece; gpt-2: "$", "a"
        assertArrayEquals(new int[] {'$', 'a'}, encode("gpt-2", "$a"));
        assertArrayEquals(new int[] {ID_DOLLAR_A}, encode("qwen2", "$a"));
        // qwen2 " ?[^\s\p{L}\p{N}]+[\r\n]*": "!\n\n" one piece, where "! Ċ" outranks "Ċ Ċ";
        // gpt-2: "!", then "\n" by \s+(?!\S) and "\n" by \s+
        assertArrayEquals(new int[] {'x', '!', '\n', '\n', 'y'}, encode("gpt-2", "x!\n\ny"));
        assertArrayEquals(new int[] {'x', ID_BANG_NL, '\n', 'y'}, encode("qwen2", "x!\n\ny"));
        // before a letter gpt-2's \s+(?!\S) leaves the last newline to a piece of its own; qwen2's \s*[\r\n]+ does not
        assertArrayEquals(new int[] {'x', '\n', '\n', 'y'}, encode("gpt-2", "x\n\ny"));
        assertArrayEquals(new int[] {'x', ID_NL_NL}, encode("gpt-2", "x\n\n"));
        assertArrayEquals(new int[] {'x', ID_NL_NL, 'y'}, encode("qwen2", "x\n\ny"));
    }

    @Test
    void qwen2NormalizesToNfcFirst() {
        // e + combining acute (65 CC 81) becomes U+00E9 (C3 A9) under NFC
        assertArrayEquals(new int[] {'e', 0xCC, 0x81}, encode("gpt-2", "e\u0301"));
        assertArrayEquals(new int[] {0xC3, 0xA9}, encode("qwen2", "e\u0301"));
    }

    @Test
    void controlAndUserDefinedTokensMatchWholeAndDecodeAsTheirText() {
        for (String pre : List.of("gpt-2", "qwen2")) {
            try (TextTokenizer t = TextTokenizer.fromGguf(tinyVocabulary(pre, false, null))) {
                int[] ids = t.encode("<|im_start|>123<think>x");
                int[] digits = pre.equals("qwen2") ? new int[] {'1', '2', '3'} : new int[] {ID_123};
                int[] expected = new int[2 + digits.length + 1];
                expected[0] = ID_IM_START;
                System.arraycopy(digits, 0, expected, 1, digits.length);
                expected[digits.length + 1] = ID_THINK;
                expected[digits.length + 2] = 'x';
                assertArrayEquals(expected, ids, pre);
                assertEquals("<|im_start|>123<think>x", t.decode(ids), pre);
                assertEquals("DON'T é\n", t.decode(new int[] {ID_DON, ID_APOS_T, ' ', 0xC3, 0xA9, '\n'}), pre);
            }
        }
    }

    @Test
    void addBosPrependsTheBosTokenOnlyWhenAsked() {
        try (TextTokenizer with = TextTokenizer.fromGguf(tinyVocabulary("qwen2", true, ID_IM_START));
             TextTokenizer without = TextTokenizer.fromGguf(tinyVocabulary("qwen2", false, ID_IM_START))) {
            assertArrayEquals(new int[] {ID_IM_START, ID_DON}, with.encode("DON"));
            assertArrayEquals(new int[] {ID_DON}, without.encode("DON"));
        }
        EngineException e = assertThrows(EngineException.class,
                () -> TextTokenizer.fromGguf(tinyVocabulary("qwen2", true, null)));
        assertTrue(e.getMessage().contains("bos_token_id"), e.getMessage());
    }

    @Test
    void absentPreMeansGpt2() {
        assertArrayEquals(encode("gpt-2", "DON'T 123 $a"), encode(null, "DON'T 123 $a"));
    }

    @Test
    void unsupportedPreOrModelIsAnErrorThatNamesItAndListsWhatIs() {
        EngineException pre = assertThrows(EngineException.class,
                () -> TextTokenizer.fromGguf(tinyVocabulary("llama-bpe", false, null)));
        assertTrue(pre.getMessage().contains("'llama-bpe'") && pre.getMessage().contains("gpt-2")
                && pre.getMessage().contains("qwen2"), pre.getMessage());

        GgufVocabulary v = tinyVocabulary("qwen2", false, null);
        GgufVocabulary llama = new GgufVocabulary("llama", v.pre(), v.tokens(), v.merges(), v.tokenTypes(), null, null,
                false, null);
        EngineException model = assertThrows(EngineException.class, () -> TextTokenizer.fromGguf(llama));
        assertTrue(model.getMessage().contains("'llama'") && model.getMessage().contains("gpt2"), model.getMessage());

        List<String> badMerges = new ArrayList<>(v.merges());
        badMerges.add("1 zz");
        GgufVocabulary broken = new GgufVocabulary(v.model(), v.pre(), v.tokens(), badMerges, v.tokenTypes(), null,
                null, false, null);
        EngineException merge = assertThrows(EngineException.class, () -> TextTokenizer.fromGguf(broken));
        assertTrue(merge.getMessage().contains("tokenizer.ggml.merges") && merge.getMessage().contains("`zz`"),
                merge.getMessage());
    }
}
