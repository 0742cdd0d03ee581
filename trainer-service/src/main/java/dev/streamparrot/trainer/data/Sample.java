package dev.streamparrot.trainer.data;

/** One training sequence (seq_length token ids) and the log position it came from. */
public record Sample(int partition, long offset, int[] ids) {}
