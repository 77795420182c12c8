package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.export.ExportLm;
import io.mohge.export.ExportReader.ExportedModel;
import io.mohge.export.MergeReport;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole merge of {@code mohge merge}: task statistics from the calibration streams, the plan (who survives, who
 * folds where), the merge weights (searched, usage-proportional or keep-intact) and the merged model, with a report.
 *
 * <p>The merge serves either one task ({@code target} set: that task's usage and held-out loss) or the served mix
 * (the usage and held-out loss of every task weighted by its estimated share).
 */
public final class TaskAwareMerge {

    /** How the merge weights are chosen. */
    public enum Weights {
        /** the tree-structured bandit search ({@link WeightSearch}) on the held-out loss */
        SEARCH,
        /** each rank weighted by its usage share within the cluster, averaged over the model's clusters */
        USAGE,
        /** (1, 0, ..., 0): the survivors stay intact and the folded experts are dropped (pruning) */
        KEEP
    }

    /**
     * @param survivors experts per group after the merge
     * @param target    the task to merge for, or null for the served mix
     */
    public record Options(int survivors, String target, Weights weights, WeightSearch.Config search, double ema,
                          CalibrationReader.Budget budget) {
        public Options {
            if (survivors < 1) throw new BadInputException("--experts-per-group: at least 1");
            if (weights == null || search == null || budget == null) {
                throw new IllegalArgumentException("merge options: weights, search and budget must not be null");
            }
            if (!(ema >= 0 && ema < 1)) throw new BadInputException("--ema: must lie in [0, 1), got " + ema);
        }
    }

    /**
     * @param merged        the merged model (its dir is {@code out})
     * @param weights       the merge weights used (one per cluster rank)
     * @param search        the search trace (null unless {@link Weights#SEARCH})
     * @param objective     task -> weight of its held-out loss in the objective
     * @param heldOutBefore task -> held-out loss of the source model
     * @param heldOutAfter  task -> held-out loss of the merged model
     */
    public record Outcome(ExportedModel merged, MergePlan plan, double[] weights, WeightSearch.Result search,
                          TaskStats stats, Map<String, Double> objective, Map<String, Double> heldOutBefore,
                          Map<String, Double> heldOutAfter) {
        public double objectiveBefore() {
            return weighted(objective, heldOutBefore);
        }

        public double objectiveAfter() {
            return weighted(objective, heldOutAfter);
        }
    }

    private TaskAwareMerge() { }

    /** Statistics of the calibration streams (the first step of {@link #run}, exposed for benchmarks). */
    public static TaskStats statistics(ExportLm lm, List<TaskData> tasks, Options o) {
        return UsageCollector.collect(lm, tasks, o.budget(), o.ema());
    }

    public static Outcome run(ExportedModel source, List<TaskData> tasks, Options o, Path out) {
        ExportLm lm = ExportLm.of(source);
        return run(source, lm, statistics(lm, tasks, o), tasks, o, out);
    }

    /** The merge for given statistics; {@code lm} runs {@code source}. */
    public static Outcome run(ExportedModel source, ExportLm lm, TaskStats stats, List<TaskData> tasks, Options o, Path out) {
        Map<String, Double> objective = new LinkedHashMap<>();
        double[][] usage;
        if (o.target() != null) {
            usage = stats.usage(o.target());
            objective.put(o.target(), 1.0);
        } else {
            usage = stats.mixtureUsage();
            objective.putAll(stats.taskShares());
        }
        MergePlan plan = MergePlan.of(source.config(), usage, source.params(), o.survivors());
        Map<String, int[][]> heldOut = new LinkedHashMap<>();
        for (TaskData t : tasks) {
            heldOut.put(t.name(), t.windows(TaskData.Part.HELD_OUT, source.config().seqLen(), o.budget().heldOutWindows(),
                    o.budget().batch()));
        }
        Map<String, Double> before = losses(lm, heldOut, o.budget().batch());
        int m = plan.clusterSize();
        double[] keep = new double[m];
        keep[0] = 1;
        ExportLm mergedLm = ExportLm.of(ExpertMerger.merge(source, plan, keep, out));
        WeightSearch.Objective loss = w -> {
            mergedLm.setWeights(ExpertMerger.merge(source, plan, w, out));
            double sum = 0;
            for (Map.Entry<String, Double> e : objective.entrySet()) {
                if (e.getValue() > 0) sum += e.getValue() * loss(mergedLm, heldOut.get(e.getKey()), o.budget().batch());
            }
            return sum;
        };
        WeightSearch.Result search = null;
        double[] weights = switch (o.weights()) {
            case KEEP -> keep;
            case USAGE -> usageWeights(plan, usage);
            case SEARCH -> {
                search = WeightSearch.run(m, loss, o.search());
                yield search.weights();
            }
        };
        ExportedModel merged = ExpertMerger.merge(source, plan, weights, out);
        mergedLm.setWeights(merged);
        Map<String, Double> after = losses(mergedLm, heldOut, o.budget().batch());
        return new Outcome(merged, plan, weights, search, stats, objective, before, after);
    }

    /** Rank r's weight: the mean over clusters of member r's share of its cluster's usage (uniform when unused). */
    static double[] usageWeights(MergePlan plan, double[][] usage) {
        int m = plan.clusterSize();
        double[] w = new double[m];
        int clusters = 0;
        for (int layer = 0; layer < plan.layers().size(); layer++) {
            for (MergePlan.Cluster c : plan.layers().get(layer)) {
                int[] members = c.members();
                double total = 0;
                for (int e : members) total += usage[layer][e];
                for (int r = 0; r < m; r++) w[r] += total > 0 ? usage[layer][members[r]] / total : 1.0 / m;
                clusters++;
            }
        }
        for (int r = 0; r < m; r++) w[r] /= clusters;
        return w;
    }

    /** Mean LM loss over windows, in batches of {@code batch}. */
    public static double loss(ExportLm lm, int[][] windows, int batch) {
        if (windows.length == 0 || windows.length % batch != 0) {
            throw new IllegalArgumentException("loss: need a whole number of batches of " + batch + " windows, got " + windows.length);
        }
        double sum = 0;
        for (int b = 0; b < windows.length; b += batch) sum += lm.loss(java.util.Arrays.copyOfRange(windows, b, b + batch));
        return sum / (windows.length / batch);
    }

    static Map<String, Double> losses(ExportLm lm, Map<String, int[][]> windows, int batch) {
        Map<String, Double> out = new LinkedHashMap<>();
        windows.forEach((task, w) -> out.put(task, loss(lm, w, batch)));
        return out;
    }

    static double weighted(Map<String, Double> weights, Map<String, Double> values) {
        double s = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) s += e.getValue() * values.get(e.getKey());
        return s;
    }

    /** The report written next to a merged export ({@code merge_report.json}) and, summarised, into its config.json. */
    public static MergeReport report(Outcome r, Path source, Options o) {
        List<List<MergePlan.Cluster>> layers = r.plan().layers();
        int[][][] clusters = new int[layers.size()][][];
        for (int l = 0; l < layers.size(); l++) {
            clusters[l] = layers.get(l).stream().map(MergePlan.Cluster::members).toArray(int[][]::new);
        }
        MergeReport.Search search = null;
        if (r.search() != null) {
            List<MergeReport.Evaluation> trace = r.search().trace().stream()
                    .map(e -> new MergeReport.Evaluation(e.round(), e.weights(), e.loss(), e.bestSoFar(), e.depth()))
                    .toList();
            search = new MergeReport.Search(o.search().budget(), o.search().seed(), o.search().exploration(),
                    r.search().cumulativeRegret(), trace);
        }
        return new MergeReport(source.toAbsolutePath().normalize().toString(),
                "task-aware expert merging (Tanbr, arXiv 2509.19781), see docs/merge.md", o.survivors(),
                o.target() == null ? "mix" : o.target(), o.weights().name().toLowerCase(Locale.ROOT), r.weights(),
                r.objective(), r.heldOutBefore(), r.heldOutAfter(), clusters, search, r.stats().toReport());
    }
}
