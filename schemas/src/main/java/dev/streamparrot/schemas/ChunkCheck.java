package dev.streamparrot.schemas;

/**
 * What a reader of the chunk topics accepts, and the one place that decodes a {@link Chunk} into ids: a chunk
 * of the reader's tokenizer, whose ids unpack, number exactly {@code seqLength} and all lie in the vocabulary.
 * The trainer dead-letters a training chunk with the {@link Result#fault} and skips a validation chunk that
 * fails (the validation split may hold other tokenizers' chunks).
 *
 * @param tokenizerId the reader's tokenizer, or null to accept any
 * @param seqLength   ids per chunk
 * @param vocabSize   every id must be below it
 */
public record ChunkCheck(String tokenizerId, int seqLength, int vocabSize) {

    /** A chunk's ids, or why it cannot be used: exactly one of the two is null. */
    public record Result(int[] ids, String fault) {
        public boolean usable() {
            return ids != null;
        }

        private static Result fault(String why) {
            return new Result(null, why);
        }
    }

    public Result check(Chunk chunk) {
        String tok = String.valueOf(chunk.getTokenizerId());
        if (tokenizerId != null && !tokenizerId.equals(tok)) {
            return Result.fault("chunk of tokenizer " + tok + ", the trainer trains on " + tokenizerId);
        }
        int[] ids;
        try {
            ids = TokenIds.unpack(chunk.getIds(), chunk.getEncoding());
        } catch (IllegalArgumentException e) {
            return Result.fault(e.getMessage());
        }
        if (ids.length != seqLength) return Result.fault("chunk of " + ids.length + " ids, seq_length is " + seqLength);
        int min = 0, max = 0;
        for (int id : ids) {
            min = Math.min(min, id);
            max = Math.max(max, id);
        }
        if (max >= vocabSize) return outside(max);
        // int32 ids can be negative, and an embedding lookup of one fails as surely as one too large
        if (min < 0) return outside(min);
        return new Result(ids, null);
    }

    private Result outside(int id) {
        return Result.fault("token id " + id + " outside the vocabulary of " + vocabSize);
    }
}
