package dev.streamparrot.trainer.group;

import dev.streamparrot.schemas.ChunkRange;
import dev.streamparrot.schemas.FragmentKind;
import dev.streamparrot.schemas.TrainerFragment;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A float vector cut into records small enough for Kafka (the topics allow 4 MiB, the producer's requests and a
 * broker's defaults 1 MiB: 128 Ki floats = 512 KiB per record), and joined again.
 */
public final class Fragments {
    /** Values per fragment: 512 KiB of float32. */
    public static final int FLOATS_PER_FRAGMENT = 128 * 1024;

    private Fragments() {}

    /** What every fragment of one vector says about it; {@code ranges} and {@code accepted} go on the first only. */
    public record Header(String group, FragmentKind kind, long round, String memberId, String contributionId, String fingerprint,
                         long tokens, long innerSteps, List<ChunkRange> ranges, List<String> accepted) {}

    /** The vector's fragments; none for a null vector (an empty contribution is one fragment of no values, count 0). */
    public static List<TrainerFragment> cut(Header h, float[] values) {
        List<TrainerFragment> out = new ArrayList<>();
        if (values == null) {
            out.add(fragment(h, 0, 0, 0, 0, ByteBuffer.allocate(0)));
            return out;
        }
        int count = Math.max(1, (values.length + FLOATS_PER_FRAGMENT - 1) / FLOATS_PER_FRAGMENT);
        for (int i = 0; i < count; i++) {
            int start = i * FLOATS_PER_FRAGMENT, end = Math.min(values.length, start + FLOATS_PER_FRAGMENT);
            ByteBuffer bytes = ByteBuffer.allocate(4 * (end - start)).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = start; j < end; j++) bytes.putFloat(values[j]);
            bytes.flip();
            out.add(fragment(h, i, count, start, values.length, bytes));
        }
        return out;
    }

    private static TrainerFragment fragment(Header h, int index, int count, long start, long length, ByteBuffer bytes) {
        return TrainerFragment.newBuilder()
                .setGroup(h.group()).setKind(h.kind()).setRound(h.round()).setMemberId(h.memberId())
                .setContributionId(h.contributionId()).setFingerprint(h.fingerprint())
                .setTokens(h.tokens()).setInnerSteps(h.innerSteps())
                .setRanges(index == 0 ? h.ranges() : List.of()).setAccepted(index == 0 ? h.accepted() : List.of())
                .setIndex(index).setCount(count).setStart(start).setLength(length).setFloats(bytes)
                .build();
    }

    /** The record key: group/kind/round/member. */
    public static String key(TrainerFragment f) {
        return f.getGroup() + "/" + f.getKind() + "/" + f.getRound() + "/" + f.getMemberId();
    }

    /** Collects one vector's fragments as they arrive (in any order, duplicates ignored) until it is whole. */
    public static final class Assembly {
        private final float[] values;
        private final boolean[] seen;
        private int missing;
        private TrainerFragment headerHolder;

        public Assembly(TrainerFragment any) {
            int count = any.getCount();
            this.values = count == 0 ? null : new float[Math.toIntExact(any.getLength())];
            this.seen = new boolean[Math.max(count, 1)];
            this.missing = Math.max(count, 1);
            add(any);
        }

        public void add(TrainerFragment f) {
            int i = f.getIndex();
            if (i < 0 || i >= seen.length || seen[i]) return;
            seen[i] = true;
            missing--;
            if (i == 0) headerHolder = f;
            if (values == null) return;
            ByteBuffer b = f.getFloats().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int at = Math.toIntExact(f.getStart());
            if (at + b.remaining() / 4 > values.length) throw new IllegalArgumentException("fragment beyond the vector's length");
            while (b.remaining() >= 4) values[at++] = b.getFloat();
        }

        public boolean complete() {
            return missing == 0;
        }

        /** The first fragment (header, ranges, accepted); null until it arrived. */
        public TrainerFragment header() {
            return headerHolder;
        }

        /** The values; null for an empty contribution. */
        public float[] values() {
            if (!complete()) throw new IllegalStateException("incomplete");
            return values;
        }
    }
}
