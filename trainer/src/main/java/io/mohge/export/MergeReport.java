package io.mohge.export;

import io.mohge.json.JsonRecords;

import java.util.List;
import java.util.Map;

import static io.mohge.json.JsonRecords.required;

/**
 * The report of a task-aware expert merge ({@code mohge merge}, docs/merge.md): all of it is
 * {@code merge_report.json} next to the merged export, and its {@link #summary()} (without the search trace and the
 * task statistics) is the {@code mohge_merge} object of the merged export's {@code config.json} ({@link HfConfig}).
 * It lives in the export package because config.json holds it; the merge package fills it in.
 *
 * <p>A Gson record ({@link JsonRecords}): the keys are the snake_case component names in component order, null
 * components are left out, and the constructor checks that every key is present, naming it as a JSON path.
 *
 * @param source               the source export directory, absolute
 * @param method               the method and its paper
 * @param expertsPerGroup      experts per group after the merge
 * @param target               the task merged for, or {@code mix} for the served mix
 * @param weightsMode          {@code search}, {@code usage} or {@code keep}
 * @param mergeWeights         one weight per cluster rank, the survivor first
 * @param objectiveTaskWeights task -> weight of its held-out loss in the objective
 * @param heldOutLossBefore    task -> held-out loss of the source model
 * @param heldOutLossAfter     task -> held-out loss of the merged model
 * @param clusters             per routed layer, per merged expert, the source experts merged into it (survivor first)
 * @param search               the weight search, or null (left out) when the weights were not searched or in a summary
 * @param taskStats            the calibration statistics, or null (left out) in a summary
 */
public record MergeReport(String source, String method, Integer expertsPerGroup, String target, String weightsMode,
                          double[] mergeWeights, Map<String, Double> objectiveTaskWeights,
                          Map<String, Double> heldOutLossBefore, Map<String, Double> heldOutLossAfter,
                          int[][][] clusters, Search search, Stats taskStats) {

    public static final String FILE = "merge_report.json";

    /** {@code search}: the bandit search's settings and every evaluation. */
    public record Search(Integer budget, Long seed, Double exploration, Double cumulativeRegretVsBestFound,
                         List<Evaluation> trace) { }

    /** One evaluation of the search; {@code depth} -1 is a vertex of the simplex. */
    public record Evaluation(Integer round, double[] weights, Double loss, Double bestSoFar, Integer depth) { }

    /** {@code task_stats}: the EMA decay and, per task in first-seen order, its statistics. */
    public record Stats(Double decay, Map<String, Task> tasks) { }

    /** One task's estimated share, calibration batches and usage {@code [layer][expert]} (rounded to 1e-6). */
    public record Task(Double share, Long batches, double[][] usage) { }

    public MergeReport {
        required(source, "source");
        required(method, "method");
        if (required(expertsPerGroup, "experts_per_group") < 1) {
            throw new IllegalArgumentException("experts_per_group: at least 1, got " + expertsPerGroup);
        }
        required(target, "target");
        required(weightsMode, "weights_mode");
        if (required(mergeWeights, "merge_weights").length == 0) {
            throw new IllegalArgumentException("merge_weights: expected one weight per cluster rank, got none");
        }
        noNullValue(objectiveTaskWeights, "objective_task_weights");
        noNullValue(heldOutLossBefore, "held_out_loss_before");
        noNullValue(heldOutLossAfter, "held_out_loss_after");
        for (int l = 0; l < required(clusters, "clusters").length; l++) {
            for (int c = 0; c < required(clusters[l], "clusters[" + l + "]").length; c++) {
                int members = required(clusters[l][c], "clusters[" + l + "][" + c + "]").length;
                if (members != mergeWeights.length) {
                    throw new IllegalArgumentException("clusters[" + l + "][" + c + "]: " + members + " members, but "
                            + "merge_weights has one weight per member (" + mergeWeights.length + ")");
                }
            }
        }
        if (search != null) check(search);
        if (taskStats != null) check(taskStats);
    }

    /** This report without {@code search} and {@code task_stats}: the {@code mohge_merge} object of config.json. */
    public MergeReport summary() {
        return new MergeReport(source, method, expertsPerGroup, target, weightsMode, mergeWeights, objectiveTaskWeights,
                heldOutLossBefore, heldOutLossAfter, clusters, null, null);
    }

    /** Pretty JSON text with a final newline, as written to {@value #FILE}. */
    public String toJson() {
        return JsonRecords.write(this) + "\n";
    }

    /** A report read from JSON text; problems name the key. */
    public static MergeReport fromJson(String json) {
        return JsonRecords.read(json, MergeReport.class);
    }

    private static void check(Search s) {
        required(s.budget(), "search.budget");
        required(s.seed(), "search.seed");
        required(s.exploration(), "search.exploration");
        required(s.cumulativeRegretVsBestFound(), "search.cumulative_regret_vs_best_found");
        for (int i = 0; i < required(s.trace(), "search.trace").size(); i++) {
            String key = "search.trace[" + i + "]";
            Evaluation e = required(s.trace().get(i), key);
            required(e.round(), key + ".round");
            required(e.weights(), key + ".weights");
            required(e.loss(), key + ".loss");
            required(e.bestSoFar(), key + ".best_so_far");
            required(e.depth(), key + ".depth");
        }
    }

    private static void check(Stats s) {
        required(s.decay(), "task_stats.decay");
        required(s.tasks(), "task_stats.tasks").forEach((name, t) -> {
            String key = "task_stats.tasks." + name;
            required(t, key);
            required(t.share(), key + ".share");
            required(t.batches(), key + ".batches");
            for (int l = 0; l < required(t.usage(), key + ".usage").length; l++) {
                required(t.usage()[l], key + ".usage[" + l + "]");
            }
        });
    }

    private static void noNullValue(Map<String, Double> map, String key) {
        required(map, key).forEach((task, value) -> required(value, key + "." + task));
    }
}
