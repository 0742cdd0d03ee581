package dev.streamparrot.packer.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ids carried over to the next chunk (fewer than seq_length) and the files they came from: the
 * whole state of {@link Packer} between two files, small enough for a state store value.
 */
public record Remainder(int[] ids, List<String> sourceKeys) {
    public static final Remainder EMPTY = new Remainder(new int[0], List.of());

    public Remainder {
        sourceKeys = List.copyOf(sourceKeys);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + ids.length * 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(ids.length);
            for (int id : ids) out.writeInt(id);
            out.writeInt(sourceKeys.size());
            for (String key : sourceKeys) out.writeUTF(key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Remainder fromBytes(byte[] bytes) {
        if (bytes == null) return EMPTY;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int[] ids = new int[in.readInt()];
            for (int i = 0; i < ids.length; i++) ids[i] = in.readInt();
            int keys = in.readInt();
            List<String> sourceKeys = new ArrayList<>(keys);
            for (int k = 0; k < keys; k++) sourceKeys.add(in.readUTF());
            return new Remainder(ids, sourceKeys);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt remainder", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Remainder r && Arrays.equals(ids, r.ids) && sourceKeys.equals(r.sourceKeys);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + sourceKeys.hashCode();
    }

    @Override
    public String toString() {
        return "Remainder[" + ids.length + " ids, " + sourceKeys + "]";
    }
}
