package io.mohge.spark;

import io.mohge.train.GradientStep;
import io.mohge.train.SwitchCounts;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Spark tasks send back and treeAggregate sums: gradients and loss terms as sums over micro-batches (so that
 * sums of sums divided by the total micro-batch count give the global averages), routing counts summed, and the
 * slowest worker's broadcast fetch and compute times. In the sharded aggregation the gradient travels separately
 * ({@link #statsOnly()}).
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
    /** Slowest worker: getting the step's broadcast (fetch and deserialise) and loading it into the model. */
    long fetchNanos;
    /** Slowest worker: reading its windows and the forward and backward passes. */
    long computeNanos;

    static WorkerResult empty() {
        return new WorkerResult();
    }

    /** One worker's {@link GradientStep.Result}, whose averages are turned back into sums. */
    static WorkerResult of(GradientStep.Result r, float[] flatGradAverage, int microBatches, long fetchNanos,
                           long computeNanos) {
        WorkerResult w = new WorkerResult();
        w.gradSum = flatGradAverage;
        for (int i = 0; i < w.gradSum.length; i++) w.gradSum[i] *= microBatches;
        r.losses().forEach((term, value) -> w.lossSums.put(term, value * microBatches));
        w.tokensPerExpert = r.tokensPerExpert();
        w.switches = r.switches();
        w.dropped = r.droppedTokens();
        w.tokens = r.tokens();
        w.microBatches = microBatches;
        w.fetchNanos = fetchNanos;
        w.computeNanos = computeNanos;
        return w;
    }

    /** This result without its gradient (which the sharded aggregation ships block by block). */
    WorkerResult statsOnly() {
        WorkerResult w = new WorkerResult();
        w.merge(this);
        w.gradSum = null;
        return w;
    }

    /**
     * Adds {@code other} into this one and returns this (the treeAggregate seqOp and combOp). {@code other} must not
     * be used afterwards: its gradient array may now be this one's.
     */
    WorkerResult merge(WorkerResult other) {
        if (other.microBatches == 0) return this;
        if (other.gradSum != null) {
            if (gradSum == null) {
                // adopted, not copied: a result merged into another is never used again (tasks' results, partial
                // sums), and at 100M parameters a copy is 400 MB more heap per executor and on the driver
                gradSum = other.gradSum;
            } else {
                for (int i = 0; i < gradSum.length; i++) gradSum[i] += other.gradSum[i];
            }
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
        fetchNanos = Math.max(fetchNanos, other.fetchNanos);
        computeNanos = Math.max(computeNanos, other.computeNanos);
        return this;
    }

    /** The global step result: sums divided by the number of micro-batches of all workers. */
    GradientStep.Result toResult(FlatParams flat) {
        return toResult(flat, gradSum);
    }

    /** The global step result with a gradient sum aggregated elsewhere (the sharded aggregation); consumes it. */
    GradientStep.Result toResult(FlatParams flat, float[] totalGradSum) {
        if (microBatches == 0) throw new IllegalStateException("no worker returned a result");
        if (totalGradSum == null) throw new IllegalStateException("no gradient was aggregated");
        float[] avg = totalGradSum;
        for (int i = 0; i < avg.length; i++) avg[i] /= microBatches;
        Map<String, Double> losses = new LinkedHashMap<>();
        lossSums.forEach((term, value) -> losses.put(term, value / microBatches));
        return new GradientStep.Result(losses, flat.gradsOf(avg), tokensPerExpert, switches, dropped, tokens);
    }
}
