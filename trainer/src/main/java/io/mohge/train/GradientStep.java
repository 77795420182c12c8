package io.mohge.train;

import io.mohge.engine.Batch;
import io.mohge.engine.SwitchPolicy;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward and backward pass of one optimizer step over {@code grad_accum} micro-batches: each micro-batch's
 * gradient is accumulated with weight 1/n into the model's flat gradient buffer, so the buffer ends up holding
 * the average (each micro-batch loss is a mean over its tokens, so the average equals the loss of the whole
 * batch; auxiliary terms scale exactly like the LM loss). Loss terms are averaged, tokens-per-expert summed.
 *
 * <p>Temporal routing (docs/temporal.md): a model with switch controllers samples its decisions during the
 * step, from draws seeded by (run seed, the micro-batch's tokens), so a step is a pure function of its inputs
 * (resume and Spark retries reproduce it); afterwards the model decides greedily again. With a teacher (the frozen
 * original model of a conversion) each micro-batch first runs through the teacher for the self-distillation target.
 */
public final class GradientStep {

    /**
     * @param losses          loss terms by name ({@link LossNames#ALL}, plus delib_cost / distill_kl when present),
     *                        averaged over micro-batches
     * @param grads           flat gradient [P] in the model's parameter layout, averaged over micro-batches
     * @param tokensPerExpert [layers][E] routed assignments, summed over micro-batches (empty for dense)
     * @param switches        [layers][{@link SwitchCounts#FIELDS}] routing changes between consecutive tokens, summed
     * @param droppedTokens   assignments dropped by the capacity limit, summed
     * @param tokens          tokens processed
     */
    public record Result(Map<String, Double> losses, INDArray grads, long[][] tokensPerExpert,
                         long[][] switches, double droppedTokens, long tokens) { }

    private final Transformer model;
    private final Transformer teacher;
    private final long seed;

    /** Plain training: no teacher; switch decisions (if any) seeded by {@code seed}. */
    public GradientStep(Transformer model, long seed) {
        this(model, null, seed);
    }

    /** @param teacher the frozen original model for self-distillation, or null */
    public GradientStep(Transformer model, Transformer teacher, long seed) {
        this.model = model;
        this.teacher = teacher;
        this.seed = seed;
    }

    /** @param microBatches windows of seq_len + 1 tokens, [B][T + 1] each */
    public Result compute(List<int[][]> microBatches, double groupAuxScale) {
        int n = microBatches.size();
        int seqLen = model.config().seqLen();
        model.params().zeroGrads();
        Map<String, Double> losses = new LinkedHashMap<>();
        long[][] counts = null;
        long[][] switches = new long[0][];
        double dropped = 0;
        long tokens = 0;
        try {
            for (int[][] windows : microBatches) {
                Batch batch = Batch.ofWindows(windows, seqLen);
                if (model.config().hasController()) model.switchPolicy(SwitchPolicy.sample(drawSeed(batch)));
                INDArray target = teacher == null ? null : teacher.logits(batch);
                Transformer.Result r = model.forwardBackward(batch, groupAuxScale, 1.0 / n, target);
                r.losses().forEach((term, value) -> losses.merge(term, value / n, Double::sum));
                if (counts == null) {
                    counts = new long[r.tokensPerExpert().length][];
                    for (int i = 0; i < counts.length; i++) counts[i] = new long[r.tokensPerExpert()[i].length];
                }
                for (int i = 0; i < counts.length; i++) {
                    for (int e = 0; e < counts[i].length; e++) counts[i][e] += r.tokensPerExpert()[i][e];
                }
                switches = SwitchCounts.add(switches, SwitchCounts.of(r, windows.length, seqLen));
                dropped += r.dropped();
                tokens += (long) windows.length * seqLen;
            }
        } finally {
            model.switchPolicy(SwitchPolicy.GREEDY);
        }
        return new Result(losses, model.params().grads(), counts == null ? new long[0][] : counts, switches,
                dropped, tokens);
    }

    /** The seed of one micro-batch's switch draws: the run seed mixed with its tokens. */
    private long drawSeed(Batch batch) {
        return seed * 0x9E3779B97F4A7C15L + Arrays.hashCode(batch.tokens());
    }
}
