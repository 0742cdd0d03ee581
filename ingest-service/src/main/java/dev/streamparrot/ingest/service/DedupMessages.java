package dev.streamparrot.ingest.service;

import dev.streamparrot.ingest.dedup.BandedLsh;
import dev.streamparrot.ingest.dedup.FileOrder;
import dev.streamparrot.schemas.SourceFile;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the dedup stage's own topics (dedup-bands, dedup-verdicts) and state stores hold, with their serdes.
 * Only {@link DedupTopology} writes and reads them, in one build, so they are plain binary (DataOutput), not
 * Avro through the registry: no schema lookups on the hot path, and nothing else depends on the format.
 */
final class DedupMessages {
    private DedupMessages() {}

    /** On dedup-bands: a file's entry in one band's bucket, or a candidate partition's progress. */
    sealed interface BandMessage permits BandEntry, Progress {}

    /** On dedup-verdicts: a near-duplicate found for a pending file, or a band partition's progress. */
    sealed interface VerdictMessage permits NearDuplicate, Progress {}

    /**
     * A file's entries in the buckets of {@code bands} (all of its bands whose buckets live in one bands
     * partition), with its token set once for all of them.
     */
    record BandEntry(int[] bands, BandedLsh.Entry entry, Set<String> tokens) implements BandMessage {}

    /**
     * Partition {@code source} of the upstream topic has sent everything before {@code time}: every file it
     * sends later has a {@link FileOrder#time()} of at least {@code time}. Sent to every partition.
     */
    record Progress(int source, long time) implements BandMessage, VerdictMessage {}

    /** The pending file at {@code file} nearly duplicates the earlier {@code earlierKey}. */
    record NearDuplicate(FileOrder file, String earlierKey, FileOrder earlier, double jaccard) implements VerdictMessage {}

    /**
     * A file (or a deletion: {@code file} null) waiting until every earlier file is known; {@code nearest}
     * is the earliest file it nearly duplicates so far, or null.
     */
    record Pending(String fileKey, SourceFile file, NearDuplicate nearest) {
        Pending withNear(NearDuplicate found) {
            return nearest != null && nearest.earlier().compareTo(found.earlier()) <= 0 ? this : new Pending(fileKey, file, found);
        }
    }

    static final Serde<FileOrder> ORDER = Serdes.serdeFrom((Serializer<FileOrder>) (topic, o) -> o == null ? null : o.toBytes(),
            (Deserializer<FileOrder>) (topic, bytes) -> bytes == null ? null : FileOrder.fromBytes(bytes));

    static final Serde<BandMessage> BAND_MESSAGE = serde(DedupMessages::writeBand, DedupMessages::readBand);
    static final Serde<VerdictMessage> VERDICT_MESSAGE = serde(DedupMessages::writeVerdict, DedupMessages::readVerdict);
    static final Serde<Pending> PENDING = serde(DedupMessages::writePending, DedupMessages::readPending);
    static final Serde<List<BandedLsh.Entry>> BUCKET = serde((out, entries) -> {
        out.writeInt(entries.size());
        for (BandedLsh.Entry e : entries) writeEntry(out, e);
    }, in -> {
        int n = in.readInt();
        List<BandedLsh.Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) entries.add(readEntry(in));
        return entries;
    });
    static final Serde<Set<String>> TOKENS = serde(DedupMessages::writeTokens, DedupMessages::readTokens);

    private static void writeBand(DataOutputStream out, BandMessage message) throws IOException {
        if (message instanceof BandEntry e) {
            out.writeByte('E');
            out.writeInt(e.bands().length);
            for (int band : e.bands()) out.writeInt(band);
            writeEntry(out, e.entry());
            writeTokens(out, e.tokens());
        } else {
            writeProgress(out, (Progress) message);
        }
    }

    private static BandMessage readBand(DataInputStream in) throws IOException {
        int tag = in.readByte();
        return switch (tag) {
            case 'E' -> new BandEntry(readInts(in), readEntry(in), readTokens(in));
            case 'P' -> readProgress(in);
            default -> throw new IOException("not a band message: tag " + tag);
        };
    }

    private static void writeVerdict(DataOutputStream out, VerdictMessage message) throws IOException {
        if (message instanceof NearDuplicate n) {
            out.writeByte('N');
            writeNear(out, n);
        } else {
            writeProgress(out, (Progress) message);
        }
    }

    private static VerdictMessage readVerdict(DataInputStream in) throws IOException {
        int tag = in.readByte();
        return switch (tag) {
            case 'N' -> readNear(in);
            case 'P' -> readProgress(in);
            default -> throw new IOException("not a verdict message: tag " + tag);
        };
    }

    private static void writeProgress(DataOutputStream out, Progress p) throws IOException {
        out.writeByte('P');
        out.writeInt(p.source());
        out.writeLong(p.time());
    }

    private static Progress readProgress(DataInputStream in) throws IOException {
        return new Progress(in.readInt(), in.readLong());
    }

    private static void writeNear(DataOutputStream out, NearDuplicate n) throws IOException {
        out.write(n.file().toBytes());
        out.writeUTF(n.earlierKey());
        out.write(n.earlier().toBytes());
        out.writeDouble(n.jaccard());
    }

    private static NearDuplicate readNear(DataInputStream in) throws IOException {
        return new NearDuplicate(readOrder(in), in.readUTF(), readOrder(in), in.readDouble());
    }

    private static void writePending(DataOutputStream out, Pending p) throws IOException {
        out.writeUTF(p.fileKey());
        byte[] file = p.file() == null ? new byte[0] : toBytes(p.file());
        out.writeInt(file.length);
        out.write(file);
        out.writeBoolean(p.nearest() != null);
        if (p.nearest() != null) writeNear(out, p.nearest());
    }

    private static Pending readPending(DataInputStream in) throws IOException {
        String key = in.readUTF();
        byte[] file = in.readNBytes(in.readInt());
        NearDuplicate nearest = in.readBoolean() ? readNear(in) : null;
        return new Pending(key, file.length == 0 ? null : SourceFile.fromByteBuffer(ByteBuffer.wrap(file)), nearest);
    }

    private static byte[] toBytes(SourceFile file) throws IOException {
        ByteBuffer buffer = file.toByteBuffer();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static void writeEntry(DataOutputStream out, BandedLsh.Entry e) throws IOException {
        out.writeUTF(e.contentHash());
        out.writeUTF(e.fileKey());
        out.write(e.order().toBytes());
        long[] keys = e.bandKeys();
        out.writeInt(keys.length);
        for (long k : keys) out.writeLong(k);
    }

    private static BandedLsh.Entry readEntry(DataInputStream in) throws IOException {
        String hash = in.readUTF();
        String key = in.readUTF();
        FileOrder order = readOrder(in);
        long[] keys = new long[in.readInt()];
        for (int i = 0; i < keys.length; i++) keys[i] = in.readLong();
        return new BandedLsh.Entry(hash, key, order, keys);
    }

    private static int[] readInts(DataInputStream in) throws IOException {
        int[] values = new int[in.readInt()];
        for (int i = 0; i < values.length; i++) values[i] = in.readInt();
        return values;
    }

    private static FileOrder readOrder(DataInputStream in) throws IOException {
        return FileOrder.fromBytes(in.readNBytes(FileOrder.BYTES));
    }

    private static void writeTokens(DataOutputStream out, Set<String> tokens) throws IOException {
        out.writeInt(tokens.size());
        for (String t : tokens) out.writeUTF(t);
    }

    private static Set<String> readTokens(DataInputStream in) throws IOException {
        int n = in.readInt();
        Set<String> tokens = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) tokens.add(in.readUTF());
        return tokens;
    }

    private interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static <T> Serde<T> serde(Writer<T> writer, Reader<T> reader) {
        Serializer<T> serializer = (topic, value) -> {
            if (value == null) return null;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                writer.write(out, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) return null;
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                return reader.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
