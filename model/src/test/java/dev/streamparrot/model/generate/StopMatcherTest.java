package dev.streamparrot.model.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

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

    static Stream<Arguments> onePush() {
        return Stream.of(
                Arguments.of("the earliest of several stops wins, text after it is dropped",
                        new StopSequences(List.of("cd", "b")), "abcd", "a", true),
                Arguments.of("a stop at the very start gives empty text", StopSequences.CODE_FIRST_BLOCK, "\nclass A:", "", true),
                Arguments.of("without stops everything passes straight through", StopSequences.NONE, "\n#", "\n#", false));
    }

    /** One piece, then the end: what the push shows, whether it stopped, and that nothing is left to flush. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("onePush")
    void onePieceThenTheEnd(String why, StopSequences stops, String piece, String shown, boolean stopped) {
        StopMatcher m = new StopMatcher(stops);
        assertEquals(shown, m.push(piece));
        assertEquals(stopped, m.stopped());
        assertEquals("", m.flush());
        assertEquals(shown, m.text());
    }

    @Test
    void presetIsNamed() {
        assertEquals(StopSequences.CODE_FIRST_BLOCK, StopSequences.preset("code-first-block").orElseThrow());
        assertEquals(List.of("\nclass", "\ndef", "\n#", "\n@", "\nprint", "\nif"), StopSequences.CODE_FIRST_BLOCK.strings());
        assertTrue(StopSequences.preset("nope").isEmpty());
    }
}
