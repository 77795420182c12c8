package io.mohge.cli;

import io.mohge.tensors.DType;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.engine.Transformer;
import io.mohge.export.ExportReader;
import io.mohge.export.Exporter;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;
import io.mohge.train.AdamW;
import io.mohge.train.Checkpoint;
import io.mohge.config.ExportConfig;
import io.mohge.train.ModelState;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code mohge merge} end to end on a small export and a user calibration file, and its one-line errors. */
class MergeCommandTest {

    @TempDir
    static Path dir;
    static Path export;
    static Path legal;
    static Path fish;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @BeforeAll
    static void exportAndCalibrationFiles() throws Exception {
        ModelConfig model = new ModelConfig(256, 32, 2, 2, 16, 10000.0, 1e-6, 0.1, ModelConfig.FfnType.MOHGE,
                ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(4, 2, List.of(16, 24, 32, 40), 2, 2, ModelConfig.GroupScore.SIGMOID,
                        ModelConfig.GateMode.RENORMALISE), ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
        Transformer lm = Transformer.create(model, LossConfig.DEFAULTS, 3, DataType.FLOAT);
        RunConfig base = ConfigLoader.fromYaml("run: {name: merge}", "merge");
        RunConfig cfg = new RunConfig(base.run(), model, base.losses(), base.allocation(), base.data(), base.trainer(),
                base.export(), base.distributed());
        ModelState state = new ModelState(lm.params());
        Checkpoint c = new Checkpoint(5, state.paramTensors(), new AdamW.State(5, Map.of(), Map.of()),
                state.stateTensors(), 1, 5, "{}", ConfigLoader.toYaml(cfg), "");
        export = dir.resolve("export");
        Exporter.export(c, cfg.model(),
                Exporter.tokenizer(cfg.data(), cfg.model()), export, new ExportConfig("", DType.F32, true));
        legal = dir.resolve("legal.txt");
        fish = dir.resolve("fish.txt");
        Files.writeString(legal, documents(new String[] {"the", "court", "rules", "that", "article", "shall", "apply"}, 1));
        Files.writeString(fish, documents(new String[] {"cod", "quota", "net", "boat", "sea", "catch", "herring"}, 2));
    }

    static String documents(String[] words, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < 60; d++) {
            for (int w = 0; w < 12; w++) b.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            b.append(".\n");
        }
        return b.toString();
    }

    private String[] merge(Path target, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("merge", "--export", export.toString(), "--calibration",
                "legal=" + legal, "--calibration", fish.toString(), "--out", target.toString(), "--batch", "2",
                "--calibration-windows", "4", "--held-out-windows", "2", "--budget", "6"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void mergesAndWritesAnExportTheReadersLoad() throws Exception {
        Path merged = dir.resolve("merged");
        assertEquals(0, run(merge(merged, "--seed", "4")), err.toString());
        ExportReader.ExportedModel m = ExportReader.read(merged);
        assertEquals(1, m.config().mohge().expertsPerGroup());
        assertEquals(2, m.config().mohge().topK());
        assertTrue(out.toString().contains("tasks: legal, fish"), out.toString());
        assertTrue(out.toString().contains("2 -> 1 experts per group"), out.toString());
        JsonObject report = JsonParser.parseString(Files.readString(merged.resolve("merge_report.json"))).getAsJsonObject();
        assertEquals(6, report.getAsJsonObject("search").getAsJsonArray("trace").size());
        assertEquals("mix", report.get("target").getAsString());
        assertTrue(report.getAsJsonObject("task_stats").getAsJsonObject("tasks").has("fish"));
        assertTrue(Files.size(merged.resolve("merge_search.png")) > 1000);
        JsonObject config = JsonParser.parseString(Files.readString(merged.resolve(Exporter.CONFIG))).getAsJsonObject();
        assertTrue(config.getAsJsonObject("mohge_merge").has("merge_weights"));
        assertTrue(out.toString().contains("placement none (the source export has no placement.json)"), out.toString());

        // the same seed gives the same merge: the search is deterministic end to end
        Path again = dir.resolve("again");
        assertEquals(0, run(merge(again, "--seed", "4")), err.toString());
        assertArrayEquals(Files.readAllBytes(merged.resolve(Exporter.MODEL)), Files.readAllBytes(again.resolve(Exporter.MODEL)));

        // eval-free check that the merged export generates
        StringWriter genOut = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(genOut, true), new PrintWriter(err, true), "generate", "--export",
                merged.toString(), "--prompt", "the court", "--max-new-tokens", "5", "--no-stop", "--print-ids"), err.toString());
        assertTrue(genOut.toString().trim().startsWith("["), genOut.toString());
    }

    @Test
    void aTaskMergeWithKeepWeightsReportsTheTask() throws Exception {
        Path merged = dir.resolve("keep");
        assertEquals(0, run(merge(merged, "--task", "fish", "--weights", "keep")), err.toString());
        JsonObject report = JsonParser.parseString(Files.readString(merged.resolve("merge_report.json"))).getAsJsonObject();
        assertEquals("fish", report.get("target").getAsString());
        assertEquals(1.0, report.getAsJsonArray("merge_weights").get(0).getAsDouble());
        assertTrue(out.toString().contains("objective (task fish)"), out.toString());
    }

    @Test
    void theBenchmarkReportsEveryTaskAndReachableRatio() throws Exception {
        Path bench = dir.resolve("bench");
        assertEquals(0, run("merge-bench", "--export", export.toString(), "--calibration", "legal=" + legal,
                "--calibration", fish.toString(), "--out", bench.toString(), "--batch", "2", "--calibration-windows", "4",
                "--held-out-windows", "2", "--validation-windows", "4", "--budget", "4", "--rounds", "1",
                "--new-tokens", "8"), err.toString());
        List<String> csv = Files.readAllLines(bench.resolve("results.csv"));
        assertEquals(3, csv.size(), "header + legal and fish at 1/2: " + csv);
        assertTrue(csv.get(1).startsWith("legal,1/2,1,") && csv.get(2).startsWith("fish,1/2,1,"), csv.toString());
        String md = Files.readString(bench.resolve("results.md"));
        assertTrue(md.contains("ratio 1/4 not run: --ratio: 0.25 of the 2 experts per group"), md);
        assertTrue(Files.size(bench.resolve("loss_vs_memory.png")) > 1000);
        ExportReader.ExportedModel merged = ExportReader.read(bench.resolve("fish-ratio-1of2"));
        assertEquals(1, merged.config().mohge().expertsPerGroup());
        JsonObject report = JsonParser.parseString(Files.readString(bench.resolve("fish-ratio-1of2/merge_report.json")))
                .getAsJsonObject();
        assertEquals("fish", report.get("target").getAsString());
        assertEquals(4, report.getAsJsonObject("search").getAsJsonArray("trace").size());
        String[] row = csv.get(2).split(",");
        assertTrue(Double.parseDouble(row[4]) < Double.parseDouble(md.replaceAll("(?s).*?\\(\\d+ parameters, ([0-9.]+) MB\\).*", "$1")),
                "the merged model takes less memory: " + csv.get(2));
    }

    @Test
    void badInputGivesOneErrorLineNamingTheOption() {
        String[][] cases = {
            {"--ratio", "1/4", "--ratio: 0.25 of the 2 experts per group is not a whole number of at least 1; the possible ratios are 1/2"},
            {"--experts-per-group", "2", "--experts-per-group: 2 of 2 experts per group"},
            {"--task", "sports", "--task: no task called 'sports'; the tasks are legal, fish"},
            {"--weights", "magic", "--weights: 'magic' is not one of search, usage, keep"},
            {"--ratio", "half", "--ratio: 'half' is not a ratio"},
            {"--ratio", "1/2", "--experts-per-group", "1", "--ratio and --experts-per-group: give one of them"},
        };
        for (String[] c : cases) {
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            String[] extra = java.util.Arrays.copyOf(c, c.length - 1);
            int code = run(merge(dir.resolve("refused"), extra));
            assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
            String[] lines = err.toString().split("\\R");
            assertEquals(1, lines.length, err.toString());
            assertTrue(lines[0].startsWith("error: " + c[c.length - 1]), lines[0]);
        }
        err.getBuffer().setLength(0);
        Path missing = dir.resolve("missing.txt");
        assertEquals(Main.EXIT_BAD_INPUT, run("merge", "--export", export.toString(), "--calibration", missing.toString(),
                "--out", dir.resolve("refused").toString()));
        assertTrue(err.toString().startsWith("error: --calibration: " + missing + " (task missing) is not a readable file"), err.toString());
        assertTrue(!Files.exists(dir.resolve("refused")), "a refused merge writes nothing");
    }
}
