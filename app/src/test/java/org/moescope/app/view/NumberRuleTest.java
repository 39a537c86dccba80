package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class NumberRuleTest {
    private final NumberRule maxTokens = NumberRule.whole(1, 8192);
    private final NumberRule topP = NumberRule.decimal(0.05, 1);
    private final NumberRule seed = NumberRule.anyLong();

    @Test
    void wholeNumbersWithinTheRangeAreTheirValue() {
        assertEquals(new BigDecimal("1"), maxTokens.check("1").value());
        assertEquals(new BigDecimal("8192"), maxTokens.check("8192").value());
        assertEquals(new BigDecimal("12"), maxTokens.check(" +12 ").value(), "spaces and a plus sign are fine");
    }

    @Test
    void theBoundsAreInclusiveAndOneBeyondIsOut() {
        assertFalse(maxTokens.check("0").valid());
        assertFalse(maxTokens.check("8193").valid());
        assertTrue(topP.check("0.05").valid());
        assertFalse(topP.check("0.0499").valid());
        assertTrue(topP.check("1").valid());
        assertFalse(topP.check("1.0001").valid());
    }

    @Test
    void textThatIsNotAPlainNumberSaysWhatIsAllowed() {
        for (String text : new String[] {"abc", "12x", "1e3", "1d", "0x10", "1,000", "NaN", "Infinity", "--1", "1.5"}) {
            NumberRule.Check check = maxTokens.check(text);
            assertFalse(check.valid(), text);
            assertEquals("'" + text + "' is not a whole number: enter a whole number from 1 to 8192", check.problem());
        }
        for (String text : new String[] {"abc", "0.5x", "1e-1", "1d", "0.5f", "NaN", ".", "-"}) {
            assertEquals("'" + text + "' is not a number: enter a number from 0.05 to 1", topP.check(text).problem());
        }
    }

    @Test
    void outOfRangeAndEmptyAreNamed() {
        assertEquals("9999999 is out of range: enter a whole number from 1 to 8192", maxTokens.check("9999999").problem());
        assertEquals("0 is out of range: enter a whole number from 1 to 8192", maxTokens.check("0").problem());
        assertEquals("empty: enter a number from 0.05 to 1", topP.check("  ").problem());
    }

    @Test
    void decimalsMayOmitADigitOnOneSide() {
        assertEquals(0, new BigDecimal("0.5").compareTo(topP.check(".5").value()));
        assertEquals(0, BigDecimal.ONE.compareTo(topP.check("1.").value()));
    }

    @Test
    void aSeedIsAny64BitWholeNumberAndNothingLarger() {
        assertEquals(BigDecimal.valueOf(Long.MAX_VALUE), seed.check(Long.toString(Long.MAX_VALUE)).value());
        assertEquals(BigDecimal.valueOf(Long.MIN_VALUE), seed.check(Long.toString(Long.MIN_VALUE)).value());
        assertFalse(seed.check("9223372036854775808").valid(), "one past the largest long");
        assertTrue(seed.check("0").valid());
    }

    @Test
    void boundsAreWrittenPlainly() {
        assertEquals("a number from 0 to 2", NumberRule.decimal(0, 2).allowed());
        assertEquals("a number from 0.00001 to 1", NumberRule.decimal(1e-5, 1).allowed(), "never 1.0E-5");
    }
}
