package dev.streamparrot.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void redrawsAtMostFiveTimesASecondButAlwaysShowsTheEnd() {
        bar.update("checked", 1, 1000);
        for (int i = 2; i < 1000; i++) bar.update("checked", i, 1000);
        long draws = printed().chars().filter(c -> c == '\r').count();
        assertTrue(draws < 10, "drawn " + draws + " times: " + printed());
        bar.update("checked", 1000, 1000);
        assertTrue(printed().contains("1,000/1,000"), printed());
    }

    @Test
    void finishDrawsTheLastSkippedReportWithItsDetail() {
        bar.update("files", 1, 0, () -> "accepted 1");
        bar.update("files", 7, 0, () -> "accepted 5  rejected 2");
        assertFalse(printed().contains("rejected 2"), "the second report came too soon to be drawn: " + printed());
        bar.finish();
        String last = printed().substring(printed().lastIndexOf('\r'));
        assertTrue(last.contains(" 7 ") && last.contains("accepted 5  rejected 2"), last);
        assertTrue(last.endsWith(System.lineSeparator()), "finish ends the line");
    }

    @Test
    void aNewPhaseStartsANewLine() {
        bar.update("count pairs", 10, 10);
        bar.update("merges", 1, 5);
        bar.finish();
        String[] lines = printed().split(System.lineSeparator());
        assertEquals(2, lines.length, printed());
        assertTrue(lines[0].contains("count pairs") && lines[1].contains("merges"), printed());
    }
}
