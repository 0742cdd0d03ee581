package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopMatcherTest {

    @Test
    void stopSpanningSeveralPiecesIsCutAndNeverShownInPart() {
        StopMatcher m = new StopMatcher(StopSequences.CODE_FIRST_BLOCK);
        StringBuilder shown = new StringBuilder();
        for (String piece : List.of("    return x", "\n", "d", "e", "f g():")) {
            shown.append(m.push(piece));
            assertFalse(shown.toString().contains("\n"), "a prefix of a stop string leaked: " + shown);
            if (m.stopped()) break;
        }
        assertTrue(m.stopped());
        assertEquals("    return x", shown.toString());
        assertEquals("    return x", m.text());
    }

    @Test
    void heldTextIsReleasedOnceItCannotStartAStop() {
        StopMatcher m = new StopMatcher(StopSequences.CODE_FIRST_BLOCK);
        assertEquals("a", m.push("a\n"));
        assertEquals("\n    b", m.push("    b"));
        assertEquals("", m.push("\nde"));
        assertEquals("\ndel x", m.push("l x"));
        assertEquals(" y", m.push(" y"));
        assertFalse(m.stopped());
    }

    @Test
    void flushReleasesATailThatNeverBecameAStop() {
        StopMatcher m = new StopMatcher(new StopSequences(List.of("STOP")));
        assertEquals("abc", m.push("abcST"));
        assertEquals("ST", m.flush());
        assertEquals("abcST", m.text());
    }

    @Test
    void earliestOfSeveralStopsWinsAndTextAfterItIsDropped() {
        StopMatcher m = new StopMatcher(new StopSequences(List.of("cd", "b")));
        assertEquals("a", m.push("abcd"));
        assertTrue(m.stopped());
        assertEquals("", m.flush());
    }

    @Test
    void stopAtTheVeryStartGivesEmptyText() {
        StopMatcher m = new StopMatcher(StopSequences.CODE_FIRST_BLOCK);
        assertEquals("", m.push("\nclass A:"));
        assertTrue(m.stopped());
        assertEquals("", m.text());
    }

    @Test
    void withoutStopsEverythingPassesStraightThrough() {
        StopMatcher m = new StopMatcher(StopSequences.NONE);
        assertEquals("\n#", m.push("\n#"));
        assertEquals("", m.flush());
    }

    @Test
    void presetIsNamed() {
        assertEquals(StopSequences.CODE_FIRST_BLOCK, StopSequences.preset("code-first-block").orElseThrow());
        assertEquals(List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif"), StopSequences.CODE_FIRST_BLOCK.strings());
        assertTrue(StopSequences.preset("nope").isEmpty());
    }
}
