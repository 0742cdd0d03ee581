package dev.streamparrot.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Scalars and text in TensorBoard's event-file format, written without TensorFlow.
 *
 * <p>The file ({@code events.out.tfevents.<seconds>.<host>}) is a sequence of TFRecords: the payload's
 * length as uint64 little-endian, the masked CRC-32C of those 8 bytes, the payload, the masked CRC-32C of
 * the payload. Each payload is a {@code tensorflow.Event} protobuf, encoded by hand here:
 * <pre>
 * Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary { repeated Value value = 1; }
 * Value   { string tag = 1; float simple_value = 2; TensorProto tensor = 8; SummaryMetadata metadata = 9; }
 * </pre>
 * A text summary is what TensorBoard's text plugin reads: a scalar string tensor
 * ({@code TensorProto { DataType dtype = 1 (DT_STRING = 7); TensorShapeProto tensor_shape = 2; bytes string_val = 8; }})
 * with {@code SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1 ("text"); } }}.
 * The first event carries only {@code file_version = "brain.Event:2"}.
 */
public final class TfEventsWriter implements AutoCloseable {
    public static final String FILE_VERSION = "brain.Event:2";

    private final Path file;
    private final OutputStream out;

    /** Creates a new event file in dir (TensorBoard reads every such file of a run directory). */
    public TfEventsWriter(Path dir) {
        try {
            Files.createDirectories(dir);
            long now = System.currentTimeMillis();
            this.file = dir.resolve("events.out.tfevents." + now / 1000 + "." + host() + "." + now % 1000);
            this.out = Files.newOutputStream(file);
            ByteArrayOutputStream event = new ByteArrayOutputStream();
            wallTime(event, now / 1000.0);
            bytesField(event, 3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
            record(event.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path file() {
        return file;
    }

    /** One event at this step holding these tag → value scalars; flushed so TensorBoard sees it at once. */
    public synchronized void scalars(long step, Map<String, Double> values) {
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        values.forEach((tag, v) -> {
            ByteArrayOutputStream value = new ByteArrayOutputStream();
            bytesField(value, 1, tag.getBytes(StandardCharsets.UTF_8));
            tag(value, 2, 5);
            value.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v.floatValue()).array());
            bytesField(summary, 1, value.toByteArray());
        });
        event(step, summary);
    }

    /** One event at this step holding a text summary (TensorBoard's Text tab; it renders markdown). */
    public synchronized void text(long step, String tag, String text) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        tag(tensor, 1, 0);
        varint(tensor, 7); // DT_STRING
        bytesField(tensor, 2, new byte[0]); // a scalar: a shape without dimensions
        bytesField(tensor, 8, text.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream pluginData = new ByteArrayOutputStream();
        bytesField(pluginData, 1, "text".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream metadata = new ByteArrayOutputStream();
        bytesField(metadata, 1, pluginData.toByteArray());
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        bytesField(value, 1, tag.getBytes(StandardCharsets.UTF_8));
        bytesField(value, 8, tensor.toByteArray());
        bytesField(value, 9, metadata.toByteArray());
        ByteArrayOutputStream summary = new ByteArrayOutputStream();
        bytesField(summary, 1, value.toByteArray());
        event(step, summary);
    }

    private void event(long step, ByteArrayOutputStream summary) {
        ByteArrayOutputStream event = new ByteArrayOutputStream();
        wallTime(event, System.currentTimeMillis() / 1000.0);
        tag(event, 2, 0);
        varint(event, step);
        bytesField(event, 5, summary.toByteArray());
        try {
            record(event.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void record(byte[] data) throws IOException {
        byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
        out.write(length);
        out.write(le32(maskedCrc(length)));
        out.write(data);
        out.write(le32(maskedCrc(data)));
        out.flush();
    }

    /** TFRecord's CRC: CRC-32C, rotated right by 15 bits plus a constant (so CRCs of CRCs look random). */
    public static int maskedCrc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static void wallTime(ByteArrayOutputStream out, double seconds) {
        tag(out, 1, 1);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(seconds).array());
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
        tag(out, field, 2);
        varint(out, bytes.length);
        out.writeBytes(bytes);
    }

    /** Protobuf field key: field number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
    private static void tag(ByteArrayOutputStream out, int field, int wireType) {
        varint(out, (long) field << 3 | wireType);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "_");
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
