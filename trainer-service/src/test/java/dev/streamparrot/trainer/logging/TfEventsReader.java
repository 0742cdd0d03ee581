package dev.streamparrot.trainer.logging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent reader of event files, as TensorBoard's loader reads them: checks both CRCs of every
 * record and decodes the Event fields the writer uses (any other field fails the read).
 */
public final class TfEventsReader {
    /** @param texts text summaries (TensorBoard's text plugin), tag → text */
    public record Event(double wallTime, long step, String fileVersion, Map<String, Float> scalars, Map<String, String> texts) {}

    public static List<Event> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] lengthBytes = new byte[8];
            in.get(lengthBytes);
            if (in.getInt() != crc(lengthBytes)) throw new IOException("length CRC mismatch at event " + events.size());
            long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            byte[] data = new byte[(int) length];
            in.get(data);
            if (in.getInt() != crc(data)) throw new IOException("data CRC mismatch at event " + events.size());
            events.add(event(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN)));
        }
        return events;
    }

    /** Masked CRC-32C computed bit by bit (Castagnoli polynomial, reflected 0x82F63B78), not with java.util.zip. */
    static int crc(byte[] data) {
        int c = 0xFFFFFFFF;
        for (byte b : data) {
            c ^= b & 0xFF;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
        }
        c = ~c;
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static Event event(ByteBuffer b) throws IOException {
        double wall = 0;
        long step = 0;
        String version = null;
        Map<String, Float> scalars = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        while (b.hasRemaining()) {
            long key = varint(b);
            switch ((int) key) {
                case (1 << 3) | 1 -> wall = b.getDouble();
                case (2 << 3) -> step = varint(b);
                case (3 << 3) | 2 -> version = new String(bytes(b), StandardCharsets.UTF_8);
                case (5 << 3) | 2 -> summary(ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN), scalars, texts);
                default -> throw new IOException("unexpected Event field key " + key);
            }
        }
        return new Event(wall, step, version, scalars, texts);
    }

    private static void summary(ByteBuffer b, Map<String, Float> out, Map<String, String> texts) throws IOException {
        while (b.hasRemaining()) {
            if (varint(b) != ((1 << 3) | 2)) throw new IOException("unexpected Summary field");
            ByteBuffer v = ByteBuffer.wrap(bytes(b)).order(ByteOrder.LITTLE_ENDIAN);
            String tag = null;
            Float value = null;
            String text = null;
            String plugin = null;
            while (v.hasRemaining()) {
                long key = varint(v);
                if (key == ((1 << 3) | 2)) tag = new String(bytes(v), StandardCharsets.UTF_8);
                else if (key == ((2 << 3) | 5)) value = v.getFloat();
                else if (key == ((8 << 3) | 2)) text = stringTensor(ByteBuffer.wrap(bytes(v)));
                else if (key == ((9 << 3) | 2)) plugin = pluginName(ByteBuffer.wrap(bytes(v)));
                else throw new IOException("unexpected Summary.Value field key " + key);
            }
            if (text == null) {
                out.put(tag, value);
            } else {
                if (!"text".equals(plugin)) throw new IOException("a string tensor of plugin " + plugin + ", not text");
                texts.put(tag, text);
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[(int) varint(b)];
        b.get(out);
        return out;
    }

    /** TensorProto of a scalar string: dtype DT_STRING (7), a shape without dimensions, one string_val. */
    private static String stringTensor(ByteBuffer t) throws IOException {
        long dtype = -1;
        String value = null;
        while (t.hasRemaining()) {
            long key = varint(t);
            if (key == (1 << 3)) dtype = varint(t);
            else if (key == ((2 << 3) | 2) && bytes(t).length == 0) continue;
            else if (key == ((8 << 3) | 2) && value == null) value = new String(bytes(t), StandardCharsets.UTF_8);
            else throw new IOException("unexpected TensorProto field key " + key + " (a scalar string expected)");
        }
        if (dtype != 7 || value == null) throw new IOException("not a scalar string tensor: dtype " + dtype);
        return value;
    }

    /** SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1; } }. */
    private static String pluginName(ByteBuffer m) throws IOException {
        if (varint(m) != ((1 << 3) | 2)) throw new IOException("unexpected SummaryMetadata field");
        ByteBuffer data = ByteBuffer.wrap(bytes(m));
        if (varint(data) != ((1 << 3) | 2)) throw new IOException("unexpected PluginData field");
        return new String(bytes(data), StandardCharsets.UTF_8);
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
    }
}
