package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.export.MergeReport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-task expert usage, and the task mix, as exponential moving averages over served batches, so that a server can
 * feed every batch it serves into {@link #observe} and follow drift in what its users ask.
 *
 * <p>A batch of task t routes n_{l,e} tokens to expert e of layer l; its usage is f_{l,e} = n_{l,e} / sum_e n_{l,e}
 * (a distribution over the layer's experts). With decay beta:
 * <pre>
 *   u_t  <-  f                              on task t's first batch
 *   u_t  <-  beta u_t + (1 - beta) f         afterwards
 *   s_k  <-  beta s_k + (1 - beta) [k = t]   for every task k seen so far (a new task starts at s = 0)
 * </pre>
 * {@link #taskShares} reports s normalised to sum 1 (the same as the usual bias correction of an EMA started at 0).
 * The usage that a merge for the whole served mix uses is {@link #mixtureUsage}: sum_t share_t u_t.
 */
public final class TaskStats {

    private final int layers;
    private final int experts;
    private final double decay;
    private final Map<String, double[][]> usage = new LinkedHashMap<>();
    private final Map<String, Double> shares = new LinkedHashMap<>();
    private final Map<String, Long> batches = new LinkedHashMap<>();

    public TaskStats(int layers, int experts, double decay) {
        if (layers < 1 || experts < 1) {
            throw new IllegalArgumentException("task stats: need at least one routed layer and one expert, got "
                    + layers + " x " + experts);
        }
        if (!(decay >= 0 && decay < 1)) {
            throw new BadInputException("--ema: the decay must lie in [0, 1), got " + decay
                    + " (0.9 follows about the last 10 batches)");
        }
        this.layers = layers;
        this.experts = experts;
        this.decay = decay;
    }

    /** Folds one served batch of {@code task} into the averages: {@code tokensPerExpert[layer][expert]}. */
    public void observe(String task, long[][] tokensPerExpert) {
        if (tokensPerExpert.length != layers) {
            throw new IllegalArgumentException("task stats: expected " + layers + " routed layers, got " + tokensPerExpert.length);
        }
        double[][] f = new double[layers][experts];
        for (int l = 0; l < layers; l++) {
            if (tokensPerExpert[l].length != experts) {
                throw new IllegalArgumentException("task stats: layer " + l + " has " + tokensPerExpert[l].length
                        + " experts, expected " + experts);
            }
            long total = 0;
            for (long n : tokensPerExpert[l]) {
                if (n < 0) throw new IllegalArgumentException("task stats: negative token count in layer " + l);
                total += n;
            }
            if (total == 0) throw new IllegalArgumentException("task stats: layer " + l + " routed no token");
            for (int e = 0; e < experts; e++) f[l][e] = (double) tokensPerExpert[l][e] / total;
        }
        double[][] u = usage.get(task);
        if (u == null) {
            usage.put(task, f);
        } else {
            for (int l = 0; l < layers; l++) {
                for (int e = 0; e < experts; e++) u[l][e] = decay * u[l][e] + (1 - decay) * f[l][e];
            }
        }
        shares.putIfAbsent(task, 0.0);
        shares.replaceAll((k, s) -> decay * s + (k.equals(task) ? 1 - decay : 0));
        batches.merge(task, 1L, Long::sum);
    }

    public int layers() {
        return layers;
    }

    public int experts() {
        return experts;
    }

    public double decay() {
        return decay;
    }

    /** Tasks in the order they were first seen. */
    public List<String> tasks() {
        return List.copyOf(usage.keySet());
    }

    /** Batches observed per task. */
    public Map<String, Long> batches() {
        return Collections.unmodifiableMap(batches);
    }

    /** The usage average of one task, a copy {@code [layer][expert]}. */
    public double[][] usage(String task) {
        double[][] u = usage.get(task);
        if (u == null) {
            throw new BadInputException("--task: no calibration batch of task '" + task + "' was seen; the tasks are "
                    + String.join(", ", usage.keySet()));
        }
        double[][] copy = new double[layers][];
        for (int l = 0; l < layers; l++) copy[l] = u[l].clone();
        return copy;
    }

    /** The estimated task mix, normalised to sum 1, in first-seen order. */
    public Map<String, Double> taskShares() {
        double sum = shares.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> out = new LinkedHashMap<>();
        shares.forEach((k, s) -> out.put(k, sum == 0 ? 0.0 : s / sum));
        return out;
    }

    /** sum over tasks of share x usage: the usage of the served mix. */
    public double[][] mixtureUsage() {
        if (usage.isEmpty()) throw new IllegalStateException("task stats: nothing observed yet");
        double[][] mix = new double[layers][experts];
        for (Map.Entry<String, Double> s : taskShares().entrySet()) {
            double[][] u = usage.get(s.getKey());
            for (int l = 0; l < layers; l++) for (int e = 0; e < experts; e++) mix[l][e] += s.getValue() * u[l][e];
        }
        return mix;
    }

    /** The {@code task_stats} of a merge report: per task its share, batches and usage rounded to 1e-6. */
    public MergeReport.Stats toReport() {
        Map<String, MergeReport.Task> tasks = new LinkedHashMap<>();
        Map<String, Double> share = taskShares();
        for (String t : usage.keySet()) {
            double[][] rounded = new double[layers][experts];
            for (int l = 0; l < layers; l++) {
                for (int e = 0; e < experts; e++) rounded[l][e] = Math.round(usage.get(t)[l][e] * 1e6) / 1e6;
            }
            tasks.put(t, new MergeReport.Task(share.get(t), batches.get(t), rounded));
        }
        return new MergeReport.Stats(decay, tasks);
    }
}
