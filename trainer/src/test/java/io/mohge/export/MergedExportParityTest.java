package io.mohge.export;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.engine.Transformer;
import io.mohge.merge.ExpertMerger;
import io.mohge.merge.MergePlan;
import io.mohge.merge.MergedExport;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A merged export is an ordinary export: it reads back in Java (ExportReader, ExportLm) to the very logits of the
 * in-memory merged model, and the shipped modeling_mohge.py under PyTorch gives the same logits (the helpers and the
 * tolerance of {@link TorchParityTest}). Variants cover both merge ratios of 4 experts per group, top_k shrinking,
 * router biases, shared experts, and a one-group (moe) model.
 */
class MergedExportParityTest {

    @TempDir
    Path dir;

    static ModelConfig mohge(int groupTopK, int topK, ModelConfig.Router router, GateMode gate) {
        return new ModelConfig(TorchParityTest.VOCAB, 32, 2, 2, TorchParityTest.SEQ, 10000.0, 1e-6, 0.02,
                ModelConfig.FfnType.MOHGE, new ModelConfig.Dense(48), new ModelConfig.Moe(4, 24, 2),
                new ModelConfig.Mohge(4, 4, List.of(16, 24, 32, 40), groupTopK, topK, GroupScore.SIGMOID, gate),
                new ModelConfig.Shared(1, 16), router);
    }

    static Stream<Arguments> variants() {
        ModelConfig moe = new ModelConfig(TorchParityTest.VOCAB, 32, 2, 2, TorchParityTest.SEQ, 10000.0, 1e-6, 0.02,
                ModelConfig.FfnType.MOE, new ModelConfig.Dense(48), new ModelConfig.Moe(8, 24, 3),
                ModelConfig.Mohge.DEFAULTS, ModelConfig.Shared.DEFAULTS, TorchParityTest.BIAS);
        return Stream.of(
                Arguments.of("half-weighted", mohge(2, 3, TorchParityTest.BIAS, GateMode.RENORMALISE), 2, new double[] {0.7, 0.3}),
                Arguments.of("quarter-weighted", mohge(2, 3, TorchParityTest.BIAS, GateMode.RENORMALISE), 1,
                        new double[] {0.4, 0.3, 0.2, 0.1}),
                Arguments.of("quarter-keep-topk-shrinks", mohge(1, 3, TorchParityTest.NO_BIAS, GateMode.REFERENCE), 1,
                        new double[] {1, 0, 0, 0}),
                Arguments.of("moe-half", moe, 4, new double[] {0.5, 0.5}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void mergedExportLoadsInJavaAndPyTorchWithParity(String name, ModelConfig config, int survivors, double[] weights)
            throws Exception {
        Transformer lm = TorchParityTest.randomModel(config, name.hashCode());
        Path source = TorchParityTest.export(lm, dir.resolve(name + "-source"), DType.F32);
        ExportReader.ExportedModel read = ExportReader.read(source);
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        int experts = (int) read.params().get("layers.0.ffn.router.expert.weight").shape()[1];
        double[][] usage = new double[config.nLayers()][experts];
        for (double[] row : usage) for (int e = 0; e < experts; e++) row[e] = rnd.nextDouble();
        MergePlan plan = MergePlan.of(config, usage, read.params(), survivors);
        Path out = dir.resolve(name + "-merged");
        ExportReader.ExportedModel merged = ExpertMerger.merge(read, plan, weights, out);
        int[][][] clusters = plan.layers().stream()
                .map(layer -> layer.stream().map(MergePlan.Cluster::members).toArray(int[][]::new)).toArray(int[][][]::new);
        MergeReport report = new MergeReport(source.toString(), "parity test", survivors, name, "keep", weights, Map.of(),
                Map.of(), Map.of(), clusters, null, null);
        MergedExport.Written w = MergedExport.write(source, merged, out, report);

        ExportReader.ExportedModel back = ExportReader.read(out);
        assertEquals(merged.config(), back.config(), name + ": config.json reads back to the merged config");
        int[][] tokens = TorchParityTest.batch(13);
        float[][][] inMemory = ExportLm.of(merged).logits(tokens);
        float[][][] fromFiles = ExportLm.load(out).logits(tokens);
        assertEquals(0.0, TorchParityTest.maxAbsDiff(inMemory, fromFiles), name + ": the files hold the merged model");
        float[][][] torch = TorchParityTest.pythonLogits(out, tokens);
        double diff = TorchParityTest.maxAbsDiff(fromFiles, torch);
        System.out.printf("merged parity %s: max |java - torch| = %.3g, %d -> %d parameters, placement %s%n", name, diff,
                read.params().values().stream().mapToLong(t -> t.data().length).sum(), w.parameters(), w.placement());
        assertTrue(diff <= TorchParityTest.TOLERANCE, name + ": PyTorch logits differ from Java by " + diff);
        assertTrue(TorchParityTest.spread(fromFiles) > 0.5, name + ": logits too flat to compare");
        double moved = TorchParityTest.maxAbsDiff(TorchParityTest.javaLogits(lm, tokens), fromFiles);
        assertTrue(moved > 1e-3, name + ": merging must change the model (logits moved by " + moved + ")");

        JsonObject cfg = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
        assertEquals(name, cfg.getAsJsonObject("mohge_merge").get("target").getAsString());
        assertEquals(JsonParser.parseString(report.toJson()), JsonParser.parseString(Files.readString(out.resolve(MergeReport.FILE))));
        int perGroup = cfg.get("experts_per_group").getAsInt();
        assertEquals(survivors, perGroup);
        assertTrue(cfg.get("num_experts_per_tok").getAsInt() <= cfg.get("group_top_k").getAsInt() * perGroup);
        for (String f : List.of(Exporter.TOKENIZER, Exporter.TOKENIZER_CONFIG, Exporter.GENERATION_CONFIG, "modeling_mohge.py")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
    }
}
