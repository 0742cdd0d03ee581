package dev.streamparrot.trainer.checkpoint;

import dev.streamparrot.schemas.CheckpointAnnouncement;

/** Tells the rest of the system that a checkpoint exists (the checkpoints topic in the service). */
@FunctionalInterface
public interface CheckpointAnnouncer {
    void announce(CheckpointAnnouncement announcement);
}
