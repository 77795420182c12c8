package io.mohge.merge;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.mohge.export.HfConfig;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** merge_report.json and the {@code mohge_merge} object of a merged config.json, against files written by an earlier build. */
class MergeReportJsonTest {

    static final ModelConfig MODEL = new ModelConfig(256, 32, 2, 2, 16, 10000.0, 1e-6, 0.1, ModelConfig.FfnType.MOHGE,
            ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS,
            new ModelConfig.Mohge(2, 2, List.of(16, 24), 2, 2, ModelConfig.GroupScore.SIGMOID,
                    ModelConfig.GateMode.RENORMALISE), ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);

    /** A merge of 2 layers x 4 experts to 1 per group, for the served mix of two tasks, with a 2-round search. */
    static TaskAwareMerge.Outcome outcome() {
        TaskStats stats = new TaskStats(2, 4, 0.9);
        stats.observe("legal", new long[][] {{3, 7, 1, 0}, {1, 1, 1, 1}});
        stats.observe("fish", new long[][] {{0, 2, 2, 5}, {9, 0, 0, 1}});
        stats.observe("legal", new long[][] {{1, 0, 0, 2}, {0, 3, 3, 0}});
        MergePlan plan = new MergePlan(1, List.of(
                List.of(new MergePlan.Cluster(0, new int[] {1, 0}), new MergePlan.Cluster(1, new int[] {3, 2})),
                List.of(new MergePlan.Cluster(0, new int[] {0, 1}), new MergePlan.Cluster(1, new int[] {2, 3}))));
        WeightSearch.Result search = new WeightSearch.Result(new double[] {0.7, 0.3}, 2.5, List.of(
                new WeightSearch.Evaluation(1, new double[] {1, 0}, 2.75, 2.75, -1),
                new WeightSearch.Evaluation(2, new double[] {0.7, 0.30000000000000004}, 2.5, 2.5, 2)));
        Map<String, Double> before = new LinkedHashMap<>();
        before.put("legal", 2.25);
        before.put("fish", 1e-5);
        Map<String, Double> after = new LinkedHashMap<>();
        after.put("legal", 2.5);
        after.put("fish", 3.0);
        return new TaskAwareMerge.Outcome(null, plan, search.weights(), search, stats, stats.taskShares(), before, after);
    }

    static TaskAwareMerge.Options options() {
        return new TaskAwareMerge.Options(1, null, TaskAwareMerge.Weights.SEARCH,
                new WeightSearch.Config(2, 12, 1.5, 1e-3, 4), 0.9, new CalibrationReader.Budget(16, 2, 4, 2, 2));
    }

    @Test
    void theReportIsWrittenAsBefore() throws IOException {
        JsonObject report = TaskAwareMerge.report(outcome(), Path.of("/runs/export"), options());
        assertEquals(golden("merge_report.json"), new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n");
    }

    @Test
    void theMergedConfigHoldsTheSummaryAsBefore() throws IOException {
        JsonObject summary = TaskAwareMerge.report(outcome(), Path.of("/runs/export"), options());
        summary.remove("search");
        summary.remove("task_stats");
        assertEquals(golden("config.json"), HfConfig.of(MODEL, DType.F32, "byte", 7).withMerge(summary).toJson());
    }

    static String golden(String name) throws IOException {
        try (InputStream in = MergeReportJsonTest.class.getResourceAsStream("/merge/" + name)) {
            if (in == null) throw new IOException("test resource /merge/" + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
