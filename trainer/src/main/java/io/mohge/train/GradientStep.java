package io.mohge.train;

import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward and backward pass of one optimizer step over {@code grad_accum} micro-batches: each micro-batch's
 * gradient is accumulated with weight 1/n into the model's flat gradient buffer, so the buffer ends up holding
 * the average (each micro-batch loss is a mean over its tokens, so the average equals the loss of the whole
 * batch; auxiliary terms scale exactly like the LM loss). Loss terms are averaged, tokens-per-expert summed.
 */
public final class GradientStep {

    /**
     * @param losses          loss terms by name ({@link LossNames#ALL}), averaged over micro-batches
     * @param grads           flat gradient [P] in the model's parameter layout, averaged over micro-batches
     * @param tokensPerExpert [layers][E] routed assignments, summed over micro-batches (empty for dense)
     * @param switchRates     one top-1 expert switch rate per (micro-batch, layer)
     * @param droppedTokens   assignments dropped by the capacity limit, summed
     * @param tokens          tokens processed
     */
    public record Result(Map<String, Double> losses, INDArray grads, long[][] tokensPerExpert,
                         List<Double> switchRates, double droppedTokens, long tokens) { }

    private final Transformer model;

    public GradientStep(Transformer model) {
        this.model = model;
    }

    /** @param microBatches windows of seq_len + 1 tokens, [B][T + 1] each */
    public Result compute(List<int[][]> microBatches, double groupAuxScale) {
        int n = microBatches.size();
        int seqLen = model.config().seqLen();
        model.params().zeroGrads();
        Map<String, Double> losses = new LinkedHashMap<>();
        long[][] counts = null;
        List<Double> switchRates = new ArrayList<>();
        double dropped = 0;
        long tokens = 0;
        for (int[][] windows : microBatches) {
            Transformer.Result r = model.forwardBackward(Batch.ofWindows(windows, seqLen), groupAuxScale, 1.0 / n);
            r.losses().forEach((term, value) -> losses.merge(term, value / n, Double::sum));
            if (counts == null) {
                counts = new long[r.tokensPerExpert().length][];
                for (int i = 0; i < counts.length; i++) counts[i] = new long[r.tokensPerExpert()[i].length];
            }
            for (int i = 0; i < counts.length; i++) {
                for (int e = 0; e < counts[i].length; e++) counts[i][e] += r.tokensPerExpert()[i][e];
                switchRates.add(RoutingStats.switchRate(r.topExpert()[i], windows.length, seqLen));
            }
            dropped += r.dropped();
            tokens += (long) windows.length * seqLen;
        }
        return new Result(losses, model.params().grads(), counts == null ? new long[0][] : counts, switchRates,
                dropped, tokens);
    }
}
