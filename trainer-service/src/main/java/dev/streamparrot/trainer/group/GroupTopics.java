package dev.streamparrot.trainer.group;

import dev.streamparrot.schemas.Chunk;
import dev.streamparrot.schemas.TrainerFragment;
import dev.streamparrot.topics.Topic;
import dev.streamparrot.topics.Topics;

import java.util.List;

/** The topics a trainer group uses: the catalog's in the service, topics of their own in tests. */
public record GroupTopics(Topic<Chunk> chunks, Topic<Chunk> valid, Topic<TrainerFragment> contributions, Topic<TrainerFragment> global,
                          Topic<TrainerFragment> outer, Topic<TrainerFragment> coordinator) {
    public static final GroupTopics CATALOG = new GroupTopics(Topics.CHUNKS_TRAIN, Topics.CHUNKS_VALID, Topics.TRAINER_CONTRIBUTIONS,
            Topics.TRAINER_GLOBAL, Topics.TRAINER_OUTER, Topics.TRAINER_COORDINATOR);

    /** The same layout under names starting with {@code prefix} (the catalog's partitions and configs). */
    public static GroupTopics prefixed(String prefix) {
        return new GroupTopics(rename(Topics.CHUNKS_TRAIN, prefix), rename(Topics.CHUNKS_VALID, prefix),
                rename(Topics.TRAINER_CONTRIBUTIONS, prefix), rename(Topics.TRAINER_GLOBAL, prefix), rename(Topics.TRAINER_OUTER, prefix),
                rename(Topics.TRAINER_COORDINATOR, prefix));
    }

    private static <V> Topic<V> rename(Topic<V> t, String prefix) {
        return new Topic<>(prefix + t.name(), t.partitions(), t.cleanupPolicy(), t.key(), t.valueType(), t.overrides());
    }

    public List<Topic<?>> all() {
        return List.of(chunks, valid, contributions, global, outer, coordinator);
    }
}
