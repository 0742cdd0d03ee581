package dev.streamparrot.trainer.loop;

import ai.djl.ndarray.NDManager;
import dev.streamparrot.model.Gpt;
import dev.streamparrot.trainer.data.ValidationChunks;

import java.util.ArrayList;
import java.util.List;

/**
 * The book's evaluate(): mean loss over the validation split (at most max_eval_steps batches), and
 * perplexity = exp(loss), infinite when that overflows. Used by the lone trainer and by the trainer group.
 */
public record Validation(ValidationChunks chunks, TrainingArgs args) {

    /** Evaluates {@code model} on the validation chunks of this tokenizer, seq_length and vocabulary. */
    public Evaluation evaluate(Gpt model, String tokenizerId, int vocab) {
        long limit = args.maxEvalSteps() < 0 ? -1 : args.maxEvalSteps() * args.validBatchSize();
        List<int[]> batch = new ArrayList<>(args.validBatchSize());
        double[] lossSum = {0};
        long n = chunks.read(tokenizerId, args.seqLength(), vocab, limit, ids -> {
            batch.add(ids);
            if (batch.size() == args.validBatchSize()) lossSum[0] += batchLoss(model, batch);
        });
        if (!batch.isEmpty()) lossSum[0] += batchLoss(model, batch);
        double loss = n == 0 ? Double.NaN : lossSum[0] / n;
        return new Evaluation(loss, Math.exp(loss), n);
    }

    /** Sum over the batch's sequences of their mean token loss (so batches of any size weigh by sequence). */
    private static double batchLoss(Gpt model, List<int[]> batch) {
        try (NDManager m = NDManager.newBaseManager(model.device(), "PyTorch")) {
            double mean = model.loss(Gpt.ids(m, batch.toArray(int[][]::new)), false).getFloat();
            double sum = mean * batch.size();
            batch.clear();
            return sum;
        }
    }
}
