package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromptTokensTest {
    @Test
    void readsIdsSeparatedByWhitespace() {
        assertArrayEquals(new int[] {12, 7, 0, 319}, PromptTokens.parseIds("  12 7\n0\t319 ", 320));
    }

    @Test
    void refusesTextAndIdsOutsideTheVocabulary() {
        var text = assertThrows(IllegalArgumentException.class, () -> PromptTokens.parseIds("hello", 320));
        assertTrue(text.getMessage().contains("token ids"), text.getMessage());
        var big = assertThrows(IllegalArgumentException.class, () -> PromptTokens.parseIds("1 320", 320));
        assertTrue(big.getMessage().contains("320"), big.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptTokens.parseIds("", 320));
        assertThrows(IllegalArgumentException.class, () -> PromptTokens.parseIds("-1", 320));
    }

    @Test
    void recognisesIdLists() {
        assertTrue(PromptTokens.isIdList("1 2 3"));
        assertFalse(PromptTokens.isIdList("1 2 x"));
        assertFalse(PromptTokens.isIdList(" "));
    }
}
