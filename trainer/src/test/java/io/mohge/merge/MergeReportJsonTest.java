package io.mohge.merge;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.export.HfConfig;
import io.mohge.export.HfConfigReader;
import io.mohge.export.MergeReport;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /** The golden files were written by the JsonObject code this record replaced; the text must not change. */
    @Test
    void theReportIsWrittenAsBefore() throws IOException {
        assertEquals(golden(MergeReport.FILE), report().toJson());
    }

    @Test
    void theMergedConfigHoldsTheSummaryAsBefore(@TempDir Path dir) throws IOException {
        String config = HfConfig.of(MODEL, DType.F32, "byte", 7).withMerge(report()).toJson();
        assertEquals(golden("config.json"), config);
        Path file = dir.resolve("config.json");
        Files.writeString(file, config);
        MergeReport back = HfConfigReader.readConfig(file).mohgeMerge();
        assertNull(back.search());
        assertEquals(report().summary().toJson(), back.toJson());
        assertEquals(MODEL, HfConfigReader.read(file));
    }

    @Test
    void aReportReadsBackToTheSameText() throws IOException {
        MergeReport back = MergeReport.fromJson(golden(MergeReport.FILE));
        assertEquals(golden(MergeReport.FILE), back.toJson());
        assertEquals(0.30000000000000004, back.search().trace().get(1).weights()[1]);
        assertEquals(2L, back.taskStats().tasks().get("legal").batches());
    }

    @Test
    void aBrokenReportIsRefusedNamingTheKey() throws IOException {
        JsonObject json = JsonParser.parseString(golden(MergeReport.FILE)).getAsJsonObject();
        assertEquals("search.trace[1].best_so_far: missing", reject(json, j -> trace(j, 1).remove("best_so_far")));
        assertEquals("task_stats.tasks.fish.usage: missing",
                reject(json, j -> j.getAsJsonObject("task_stats").getAsJsonObject("tasks").getAsJsonObject("fish")
                        .remove("usage")));
        assertEquals("held_out_loss_after: missing", reject(json, j -> j.remove("held_out_loss_after")));
        assertEquals("experts_per_group: at least 1, got 0", reject(json, j -> j.addProperty("experts_per_group", 0)));
        assertEquals("clusters[1][0]: 3 members, but merge_weights has one weight per member (2)",
                reject(json, j -> j.getAsJsonArray("clusters").get(1).getAsJsonArray().get(0).getAsJsonArray().add(5)));
        assertEquals("search.trace[0].loss: expected a number, got \"low\"",
                reject(json, j -> trace(j, 0).addProperty("loss", "low")));
    }

    private static MergeReport report() {
        return TaskAwareMerge.report(outcome(), Path.of("/runs/export"), options());
    }

    private static JsonObject trace(JsonObject report, int i) {
        JsonArray trace = report.getAsJsonObject("search").getAsJsonArray("trace");
        return trace.get(i).getAsJsonObject();
    }

    /** The message of reading {@code json} changed by {@code edit}. */
    private static String reject(JsonObject json, java.util.function.Consumer<JsonObject> edit) {
        JsonObject broken = json.deepCopy();
        edit.accept(broken);
        return assertThrows(IllegalArgumentException.class, () -> MergeReport.fromJson(broken.toString())).getMessage();
    }

    static String golden(String name) throws IOException {
        try (InputStream in = MergeReportJsonTest.class.getResourceAsStream("/merge/" + name)) {
            if (in == null) throw new IOException("test resource /merge/" + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
