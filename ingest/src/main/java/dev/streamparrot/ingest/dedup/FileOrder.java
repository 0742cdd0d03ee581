package dev.streamparrot.ingest.dedup;

import java.nio.ByteBuffer;

/**
 * Where a file stands in the one order that decides which of two near-duplicates is "the earliest": its
 * candidate record's time (made non-decreasing per partition), then the candidate partition, then the
 * offset. It is read from the record, not from when a stream task happened to see it, so every run over the
 * same records (one instance or several, however the partitions race) orders them the same way.
 *
 * @param time      milliseconds, at least 0
 * @param partition the candidate topic partition
 * @param offset    the offset in that partition
 */
public record FileOrder(long time, int partition, long offset) implements Comparable<FileOrder> {
    public static final int BYTES = 20;

    public FileOrder {
        if (time < 0 || partition < 0 || offset < 0) throw new IllegalArgumentException("negative part in " + time + "/" + partition + "/" + offset);
    }

    /** The last order with a time before {@code time}: a store's range up to it holds every earlier file. */
    public static FileOrder lastBefore(long time) {
        return new FileOrder(time - 1, Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    @Override
    public int compareTo(FileOrder other) {
        int c = Long.compare(time, other.time);
        if (c == 0) c = Integer.compare(partition, other.partition);
        return c != 0 ? c : Long.compare(offset, other.offset);
    }

    /** Big-endian, so that the byte order of two keys (a RocksDB store's order) is their order. */
    public byte[] toBytes() {
        return ByteBuffer.allocate(BYTES).putLong(time).putInt(partition).putLong(offset).array();
    }

    public static FileOrder fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new FileOrder(b.getLong(), b.getInt(), b.getLong());
    }

    @Override
    public String toString() {
        return time + "/" + partition + "/" + offset;
    }
}
