package io.mohge.train;

import io.mohge.losses.LossNames;
import io.mohge.model.DecoderLM;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forward and backward pass of one optimizer step over {@code grad_accum} micro-batches with
 * {@code sd.calculateGradientsAndOutputs}: gradients and loss terms are averaged over the micro-batches
 * (each micro-batch loss is a mean over its tokens, so the average equals the loss of the whole batch;
 * auxiliary terms scale exactly like the LM loss, METHOD.md section 5), tokens-per-expert counts are summed.
 */
public final class GradientStep {

    /**
     * @param losses          loss terms by name ({@link LossNames#ALL}), averaged over micro-batches
     * @param grads           gradient per parameter, averaged over micro-batches
     * @param tokensPerExpert [layers][E] routed assignments, summed over micro-batches (empty for dense)
     * @param switchRates     one top-1 expert switch rate per (micro-batch, layer)
     * @param droppedTokens   assignments dropped by the capacity limit, summed
     * @param tokens          tokens processed
     */
    public record Result(Map<String, Double> losses, Map<String, INDArray> grads, long[][] tokensPerExpert,
                  List<Double> switchRates, double droppedTokens, long tokens) { }

    private final DecoderLM lm;
    private final List<String> outputs = new ArrayList<>();
    private final int layers;

    public GradientStep(DecoderLM lm) {
        this.lm = lm;
        this.outputs.addAll(LossNames.ALL);
        boolean routed = !lm.routingOutputNames(0).isEmpty();
        this.layers = routed ? lm.config().nLayers() : 0;
        for (int i = 0; i < layers; i++) {
            outputs.add(name(i, "tokens_per_expert"));
            outputs.add(name(i, "selected_experts"));
            outputs.add(name(i, "dropped_tokens"));
        }
    }

    private static String name(int layer, String output) {
        return "layers." + layer + "." + output;
    }

    public Result compute(List<int[][]> microBatches, double groupAuxScale) {
        Map<String, INDArray> gradSum = new LinkedHashMap<>();
        Map<String, Double> lossSum = new LinkedHashMap<>();
        long[][] counts = new long[layers][];
        List<Double> switchRates = new ArrayList<>();
        double dropped = 0;
        long tokens = 0;
        List<String> paramNames = lm.trainableParams();
        for (int[][] batch : microBatches) {
            OutAndGrad r = lm.sameDiff().calculateGradientsAndOutputs(Batches.feed(lm, batch, groupAuxScale),
                    outputs, paramNames);
            Map<String, INDArray> out = r.getOutputs();
            for (String term : LossNames.ALL) lossSum.merge(term, out.get(term).getDouble(0), Double::sum);
            for (String p : paramNames) {
                INDArray g = r.getGradients().get(p);
                if (g == null) throw new IllegalStateException("no gradient for parameter " + p + " (not on the loss path?)");
                INDArray acc = gradSum.get(p);
                if (acc == null) gradSum.put(p, g.dup());
                else acc.addi(g);
            }
            for (int i = 0; i < layers; i++) {
                INDArray tpe = out.get(name(i, "tokens_per_expert"));                  // [E]
                if (counts[i] == null) counts[i] = new long[(int) tpe.length()];
                for (int e = 0; e < counts[i].length; e++) counts[i][e] += Math.round(tpe.getDouble(e));
                INDArray selected = out.get(name(i, "selected_experts"));              // [N, K], best first
                switchRates.add(RoutingStats.switchRate(topExpert(selected, batch.length)));
                dropped += out.get(name(i, "dropped_tokens")).getDouble(0);
            }
            tokens += (long) batch.length * lm.config().seqLen();
        }
        int n = microBatches.size();
        if (n > 1) {
            for (INDArray g : gradSum.values()) g.divi(n);
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        lossSum.forEach((k, v) -> losses.put(k, v / n));
        return new Result(losses, gradSum, counts, switchRates, dropped, tokens);
    }

    /** [B][T] top-1 expert of every position from selected_experts [B*T, K]. */
    private static int[][] topExpert(INDArray selected, int batch) {
        int[] flat = selected.getColumn(0).dup().toIntVector();
        int t = flat.length / batch;
        int[][] out = new int[batch][t];
        for (int b = 0; b < batch; b++) System.arraycopy(flat, b * t, out[b], 0, t);
        return out;
    }
}
