package dev.streamparrot.console;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Avro record as plain JSON values, field by field from its schema: fields added to a schema later
 * (a checkpoint's round or data frontier, say) reach the page without a change here.
 */
final class AvroJson {
    /** Bytes fields (a dead letter's original record) are shown as text up to this many bytes. */
    static final int MAX_BYTES_SHOWN = 512;

    private AvroJson() {}

    static Map<String, Object> of(GenericRecord record) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) out.put(field.name(), value(record.get(field.pos())));
        return out;
    }

    private static Object value(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean) return v;
        if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof org.apache.avro.generic.GenericEnumSymbol<?>) return v.toString();
        if (v instanceof java.time.Instant instant) return instant.toString();
        if (v instanceof GenericRecord nested) return of(nested);
        if (v instanceof ByteBuffer bytes) return text(bytes);
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, x) -> out.put(k.toString(), value(x)));
            return out;
        }
        if (v instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(x -> out.add(value(x)));
            return out;
        }
        return v.toString();
    }

    /** The first bytes as UTF-8 text (undecodable bytes become U+FFFD), with the total size. */
    static String text(ByteBuffer bytes) {
        ByteBuffer view = bytes.duplicate();
        byte[] head = new byte[Math.min(view.remaining(), MAX_BYTES_SHOWN)];
        view.get(head);
        String shown = new String(head, java.nio.charset.StandardCharsets.UTF_8);
        return bytes.remaining() > MAX_BYTES_SHOWN ? shown + "… (" + bytes.remaining() + " bytes)" : shown;
    }
}
