package dev.streamparrot.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian tensor bytes. Written here rather than through
 * DJL's NDList codec so that we control names, metadata and the copy semantics (see {@link #read}).
 *
 * <p>Writes F32 only; reads F32, F16 and BF16 (the half types are widened to F32 in Java, because BF16
 * tensors crash the JVM in DJL 0.36's PyTorch engine).
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Tensors in file order plus the string-to-string {@code __metadata__} map. */
    public record Contents(Map<String, NDArray> tensors, Map<String, String> metadata) {}

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("safetensors I/O assumes a little-endian machine");
        }
    }

    /** Writes F32 tensors in map order; the file appears atomically (temp file + rename). */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            if (a.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(e.getKey() + " is " + a.getDataType() + ", only FLOAT32 is written");
            }
            long bytes = a.size() * 4;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = om.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the spec lets writers pad the header with spaces; 8-byte alignment lets readers map tensors directly
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (NDArray a : tensors.values()) {
                    writeFully(ch, a.toByteBuffer()); // PyTorch hands back native (= little-endian) order
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Reads every tensor as FLOAT32 into {@code manager}. Each array owns libtorch memory: PyTorch's
     * {@code create(ByteBuffer)} only wraps the Java buffer (from_blob), which the GC may free while libtorch
     * still uses it, so the wrapper is duplicated (a real copy) and closed right away.
     */
    public static Contents read(Path file, NDManager manager) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = readFully(ch, 0, 8);
            long headerLen = len.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > 100_000_000) {
                throw new IOException(file + " is not a safetensors file (header length " + headerLen + ")");
            }
            ByteBuffer hb = readFully(ch, 8, (int) headerLen);
            byte[] hbytes = new byte[hb.remaining()];
            hb.get(hbytes);
            JsonNode header = new ObjectMapper().readTree(new String(hbytes, StandardCharsets.UTF_8));
            long dataStart = 8 + headerLen;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = e.getValue();
                long[] shape = new long[t.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).asLong();
                }
                long begin = t.get("data_offsets").get(0).asLong();
                long end = t.get("data_offsets").get(1).asLong();
                ByteBuffer raw = readFully(ch, dataStart + begin, Math.toIntExact(end - begin));
                ByteBuffer f32 = toF32(t.get("dtype").asText(), raw, e.getKey());
                tensors.put(e.getKey(), ownedCopy(manager, f32, new Shape(shape)));
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An array holding a copy of data in libtorch-owned memory (see {@link #read}). */
    static NDArray ownedCopy(NDManager manager, ByteBuffer directF32, Shape shape) {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray view = tmp.create(directF32, shape, DataType.FLOAT32);
            NDArray copy = view.duplicate();
            copy.attach(manager);
            return copy;
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new IOException("truncated safetensors file");
            }
        }
        return b.flip();
    }

    private static ByteBuffer toF32(String dtype, ByteBuffer raw, String name) {
        switch (dtype) {
            case "F32":
                return raw;
            case "F16":
            case "BF16": {
                int n = raw.remaining() / 2;
                ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    short h = raw.getShort(2 * i);
                    out.putFloat(dtype.equals("BF16") ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h));
                }
                return out.flip();
            }
            default:
                throw new IllegalArgumentException(name + ": dtype " + dtype + " is not supported (F32, F16, BF16)");
        }
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat arrives only in Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
