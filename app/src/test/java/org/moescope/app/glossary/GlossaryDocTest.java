package org.moescope.app.glossary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The user guide's glossary section is the glossary resource, entry for entry. On a mismatch the table the guide
 * should hold is written to target/glossary.md, to paste between the markers.
 */
class GlossaryDocTest {

    private static final String START = "<!-- glossary:start (generated from glossary.properties; GlossaryDocTest) -->\n";
    private static final String END = "<!-- glossary:end -->";

    @Test
    void theUserGuidesGlossaryMatchesTheResource() throws Exception {
        Path guide = Path.of(System.getProperty("moescope.home", ".."), "docs", "user-guide.md");
        String text = Files.readString(guide);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertTrue(start >= 0 && end > start, "the glossary markers in " + guide);
        String shown = text.substring(start + START.length(), end);
        String expected = Glossary.markdown();
        if (!expected.equals(shown)) {
            Files.writeString(Path.of("target", "glossary.md"), expected);
        }
        assertEquals(expected, shown, "the guide's glossary differs from " + Glossary.RESOURCE
                + " (the current table is in target/glossary.md)");
    }

    @Test
    void everyEntryHasAKnownKindAndText() {
        for (var e : Glossary.entries().entrySet()) {
            assertTrue(e.getKey().matches("(stage|block|phase|metric|term)\\.[a-z0-9_.]+"), e.getKey());
            assertTrue(e.getValue().length() > 20 && e.getValue().endsWith("."), "a sentence for " + e.getKey());
        }
    }
}
