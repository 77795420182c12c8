package io.mohge.spark;

import io.mohge.train.GradientStep;
import io.mohge.train.SwitchCounts;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Spark tasks send back and treeAggregate sums: gradients and loss terms as sums over micro-batches (so that
 * sums of sums divided by the total micro-batch count give the global averages), routing counts summed.
 */
final class WorkerResult implements Serializable {

    private static final long serialVersionUID = 1L;

    float[] gradSum;
    LinkedHashMap<String, Double> lossSums = new LinkedHashMap<>();
    long[][] tokensPerExpert = new long[0][];
    long[][] switches = new long[0][];
    double dropped;
    long tokens;
    int microBatches;

    static WorkerResult empty() {
        return new WorkerResult();
    }

    /** One worker's {@link GradientStep.Result}, whose averages are turned back into sums. */
    static WorkerResult of(GradientStep.Result r, float[] flatGradAverage, int microBatches) {
        WorkerResult w = new WorkerResult();
        w.gradSum = flatGradAverage;
        for (int i = 0; i < w.gradSum.length; i++) w.gradSum[i] *= microBatches;
        r.losses().forEach((term, value) -> w.lossSums.put(term, value * microBatches));
        w.tokensPerExpert = r.tokensPerExpert();
        w.switches = r.switches();
        w.dropped = r.droppedTokens();
        w.tokens = r.tokens();
        w.microBatches = microBatches;
        return w;
    }

    /** Adds {@code other} into this one and returns this (the treeAggregate seqOp and combOp). */
    WorkerResult merge(WorkerResult other) {
        if (other.microBatches == 0) return this;
        if (microBatches == 0) {
            gradSum = other.gradSum.clone();
        } else {
            for (int i = 0; i < gradSum.length; i++) gradSum[i] += other.gradSum[i];
        }
        other.lossSums.forEach((term, value) -> lossSums.merge(term, value, Double::sum));
        if (tokensPerExpert.length == 0) {
            tokensPerExpert = new long[other.tokensPerExpert.length][];
            for (int l = 0; l < tokensPerExpert.length; l++) tokensPerExpert[l] = other.tokensPerExpert[l].clone();
        } else {
            for (int l = 0; l < tokensPerExpert.length; l++) {
                for (int e = 0; e < tokensPerExpert[l].length; e++) tokensPerExpert[l][e] += other.tokensPerExpert[l][e];
            }
        }
        switches = SwitchCounts.add(switches, other.switches);
        dropped += other.dropped;
        tokens += other.tokens;
        microBatches += other.microBatches;
        return this;
    }

    /** The global step result: sums divided by the number of micro-batches of all workers. */
    GradientStep.Result toResult(FlatParams flat) {
        if (microBatches == 0) throw new IllegalStateException("no worker returned a result");
        float[] avg = gradSum.clone();
        for (int i = 0; i < avg.length; i++) avg[i] /= microBatches;
        Map<String, Double> losses = new LinkedHashMap<>();
        lossSums.forEach((term, value) -> losses.put(term, value / microBatches));
        return new GradientStep.Result(losses, flat.gradsOf(avg), tokensPerExpert, switches, dropped, tokens);
    }
}
