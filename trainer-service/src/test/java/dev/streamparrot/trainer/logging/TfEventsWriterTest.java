package dev.streamparrot.trainer.logging;

import dev.streamparrot.model.TfEventsWriter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfEventsWriterTest {
    @Test
    void eventsReadBackWithValidCrcs(@TempDir Path dir) throws Exception {
        Path file;
        long before = System.currentTimeMillis() / 1000;
        try (TfEventsWriter w = new TfEventsWriter(dir)) {
            file = w.file();
            Map<String, Double> first = new LinkedHashMap<>();
            first.put("loss/train", 3.25);
            first.put("lr", 1e-3);
            w.scalars(10, first);
            w.scalars(300_000, Map.of("perplexity", Double.POSITIVE_INFINITY));
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());
        List<TfEventsReader.Event> events = TfEventsReader.read(file);
        assertEquals(3, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertTrue(events.get(0).scalars().isEmpty());
        assertTrue(events.get(0).wallTime() >= before, "wall_time in seconds since the epoch");
        assertEquals(10, events.get(1).step());
        assertNull(events.get(1).fileVersion());
        assertEquals(Map.of("loss/train", 3.25f, "lr", 1e-3f), events.get(1).scalars());
        assertEquals(300_000, events.get(2).step(), "multi-byte varint");
        assertEquals(Float.POSITIVE_INFINITY, events.get(2).scalars().get("perplexity"));
    }

    @Test
    void textSummariesAreWhatTensorBoardsTextPluginReads(@TempDir Path dir) throws Exception {
        Path file;
        try (TfEventsWriter w = new TfEventsWriter(dir)) {
            file = w.file();
            w.scalars(5, Map.of("lr", 1e-3));
            w.text(5, "sample", "def fibonacci(n):\n    return n ✓");
        }
        List<TfEventsReader.Event> events = TfEventsReader.read(file);
        assertEquals(3, events.size());
        assertEquals(5, events.get(2).step());
        assertTrue(events.get(2).scalars().isEmpty());
        assertEquals(Map.of("sample", "def fibonacci(n):\n    return n ✓"), events.get(2).texts());
        assertTrue(events.get(1).texts().isEmpty());
    }

    @Test
    void knownCrcAndACorruptedFileIsDetected(@TempDir Path dir) throws Exception {
        // CRC-32C("123456789") = 0xE3069283 (the standard check value), masked as TFRecord does
        int c = 0xE3069283;
        assertEquals(((c >>> 15) | (c << 17)) + 0xa282ead8, TfEventsWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(TfEventsReader.crc("123456789".getBytes(StandardCharsets.US_ASCII)),
                TfEventsWriter.maskedCrc("123456789".getBytes(StandardCharsets.US_ASCII)));

        Path file;
        try (TfEventsWriter w = new TfEventsWriter(dir)) {
            file = w.file();
            w.scalars(1, Map.of("loss/train", 2.0));
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1; // inside the last value
        Files.write(file, bytes);
        assertThrows(java.io.IOException.class, () -> TfEventsReader.read(file));
    }
}
