package io.mohge.train;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Validation loss and perplexity: the mean next-token cross-entropy (nats) over a fixed list of validation
 * batches, and exp of it. Every batch has the same number of tokens, so the mean over batches is the mean
 * over tokens.
 */
public final class Evaluator {

    /** Result of an evaluation. */
    public record Result(long step, double valLoss, double perplexity, int batches, long tokens) { }

    private Evaluator() { }

    /** Mean lm_loss of {@code model} over {@code batches} ([B][T + 1] windows each). */
    public static double valLoss(Transformer model, List<int[][]> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("eval_batches: no validation batch to evaluate");
        double sum = 0;
        for (int[][] batch : batches) {
            sum += model.forward(Batch.ofWindows(batch, model.config().seqLen()), 0.0).losses().get(LossNames.LM);
        }
        return sum / batches.size();
    }

    /**
     * Evaluates the checkpoint in {@code checkpointDir} (its own stored config decides the model) on the
     * validation split of {@code cfg.data()}, using {@code cfg.trainer().eval_batches} batches of
     * {@code cfg.trainer().batch_size} sequences.
     */
    public static Result evaluate(Path checkpointDir, RunConfig cfg) throws IOException {
        Checkpoint c = CheckpointStore.load(checkpointDir);
        RunConfig trained = ConfigLoader.load(checkpointDir.resolve(CheckpointStore.CONFIG));
        if (trained.model().vocabSize() != cfg.data().vocabSize()) {
            throw new IllegalArgumentException("data.tokenizer: checkpoint " + checkpointDir + " has a vocabulary of "
                    + trained.model().vocabSize() + " tokens but the configured data has " + cfg.data().vocabSize()
                    + "; evaluate on data prepared with the tokenizer the model was trained on");
        }
        Transformer model = Transformer.create(trained.model(), trained.losses(), trained.run().seed(), DataType.FLOAT);
        new ModelState(model.params()).load(c.params(), c.routerBiases(), checkpointDir.toString());
        Configuration hconf = new Configuration();
        Prepare.prepare(cfg.data(), hconf);
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), hconf)) {
            int seqLen = trained.model().seqLen();
            List<int[][]> batches = data.valBatches(seqLen, cfg.trainer().batchSize(), cfg.trainer().evalBatches());
            double loss = valLoss(model, batches);
            long tokens = (long) batches.size() * cfg.trainer().batchSize() * seqLen;
            return new Result(c.step(), loss, Math.exp(loss), batches.size(), tokens);
        }
    }
}
