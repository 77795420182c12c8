package io.mohge.export;

import io.mohge.tensors.FloatTensor;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.losses.LossConfig;
import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;
import io.mohge.train.AdamW;
import io.mohge.train.Checkpoint;
import io.mohge.config.ExportConfig;
import io.mohge.tensors.DType;
import io.mohge.train.ModelState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exports tiny models and checks that the shipped modeling_mohge.py, run under a real PyTorch, gives the Java
 * model's logits on a fixed batch to 1e-4 max abs, for dense, MoE and MoHGE variants (shared experts, router bias,
 * gate modes, group scores, group_top_k = 1). Weights are random and far from their initial values (norm gains
 * included, so swapped names would show), router biases non-zero and as large as q, so they change selections.
 */
class TorchParityTest {

    static final double TOLERANCE = 1e-4;
    static final int SEQ = 16;
    static final int VOCAB = 256;

    @TempDir
    Path dir;

    static ModelConfig model(ModelConfig.FfnType ffn, ModelConfig.Mohge mohge, ModelConfig.Shared shared,
                             ModelConfig.Router router) {
        return new ModelConfig(VOCAB, 32, 2, 2, SEQ, 10000.0, 1e-6, 0.02, ffn, new ModelConfig.Dense(48),
                new ModelConfig.Moe(4, 24, 2), mohge, shared, router);
    }

    static ModelConfig.Mohge mohge(int groupTopK, int topK, GroupScore score, GateMode gate) {
        return new ModelConfig.Mohge(4, 2, List.of(16, 24, 32, 40), groupTopK, topK, score, gate);
    }

    static final ModelConfig.Mohge MOHGE = mohge(2, 3, GroupScore.SIGMOID, GateMode.RENORMALISE);
    static final ModelConfig.Shared NO_SHARED = ModelConfig.Shared.DEFAULTS;
    static final ModelConfig.Router NO_BIAS = ModelConfig.Router.DEFAULTS;
    static final ModelConfig.Router BIAS = new ModelConfig.Router(0.0, 0.01);

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("dense", model(ModelConfig.FfnType.DENSE, MOHGE, NO_SHARED, NO_BIAS)),
                Arguments.of("moe", model(ModelConfig.FfnType.MOE, MOHGE, NO_SHARED, NO_BIAS)),
                Arguments.of("moe-bias", model(ModelConfig.FfnType.MOE, MOHGE, NO_SHARED, BIAS)),
                Arguments.of("mohge", model(ModelConfig.FfnType.MOHGE, MOHGE, NO_SHARED, NO_BIAS)),
                Arguments.of("mohge-shared", model(ModelConfig.FfnType.MOHGE, MOHGE, new ModelConfig.Shared(2, 16), NO_BIAS)),
                Arguments.of("mohge-bias", model(ModelConfig.FfnType.MOHGE, MOHGE, NO_SHARED, BIAS)),
                Arguments.of("mohge-reference", model(ModelConfig.FfnType.MOHGE,
                        mohge(2, 3, GroupScore.SIGMOID, GateMode.REFERENCE), NO_SHARED, BIAS)),
                Arguments.of("mohge-softmax", model(ModelConfig.FfnType.MOHGE,
                        mohge(2, 3, GroupScore.SOFTMAX, GateMode.RENORMALISE), NO_SHARED, NO_BIAS)),
                Arguments.of("mohge-kg1", model(ModelConfig.FfnType.MOHGE,
                        mohge(1, 2, GroupScore.SIGMOID, GateMode.RENORMALISE), NO_SHARED, BIAS)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void logitsMatchPyTorch(String name, ModelConfig model) throws Exception {
        Transformer lm = randomModel(model, name.hashCode());
        Path export = export(lm, dir.resolve(name), DType.F32);
        int[][] tokens = batch(7);
        float[][][] java = javaLogits(lm, tokens);

        float[][][] readBack = ExportLm.load(export).logits(tokens);
        assertEquals(0.0, maxAbsDiff(java, readBack), name + ": the export read back in Java must give identical logits");

        float[][][] torch = pythonLogits(export, tokens);
        double diff = maxAbsDiff(java, torch);
        System.out.printf("parity %s: max |java - torch| = %.3g, logit spread %.2f%n", name, diff, spread(java));
        assertTrue(diff <= TOLERANCE, name + ": PyTorch logits differ from Java by " + diff);
        assertTrue(spread(java) > 0.5, name + ": logits too flat to make the comparison meaningful");
    }

    /**
     * group_top_k = 1 with reference gates: p = sigma_g without renormalisation (docs/method.md section 2), in Java
     * and in modeling_mohge.py (config key group_prob_renormalise = false). Flipping the key must change the logits,
     * so the key is really read.
     */
    @Test
    void singleGroupReferenceGatesUseTheUnrenormalisedGroupScore() throws Exception {
        ModelConfig model = model(ModelConfig.FfnType.MOHGE, mohge(1, 2, GroupScore.SIGMOID, GateMode.REFERENCE),
                NO_SHARED, NO_BIAS);
        Transformer lm = randomModel(model, 11);
        Path export = export(lm, dir.resolve("kg1-reference"), DType.F32);
        int[][] tokens = batch(8);
        float[][][] java = javaLogits(lm, tokens);
        double asExported = maxAbsDiff(java, pythonLogits(export, tokens));
        System.out.printf("parity kg1-reference: max |java - torch| = %.3g%n", asExported);
        assertTrue(asExported <= TOLERANCE, "PyTorch logits differ from Java by " + asExported);
        Path patched = dir.resolve("kg1-reference-renormalised");
        copyExport(export, patched);
        JsonObject cfg = JsonParser.parseString(Files.readString(patched.resolve(Exporter.CONFIG))).getAsJsonObject();
        cfg.addProperty("group_prob_renormalise", true);
        Files.writeString(patched.resolve(Exporter.CONFIG), cfg.toString());
        double renormalised = maxAbsDiff(java, pythonLogits(patched, tokens));
        assertTrue(renormalised > 1e-3, "p renormalised to 1 must change the logits; diff " + renormalised);
    }

    /** F16 and BF16 exports: PyTorch reads the 16-bit tensors like the Java reader does. */
    @ParameterizedTest
    @MethodSource("halfTypes")
    void halfPrecisionExportsMatchJavaReadBack(DType dtype) throws Exception {
        Transformer lm = randomModel(model(ModelConfig.FfnType.MOHGE, MOHGE, new ModelConfig.Shared(1, 16), BIAS), 5);
        Path export = export(lm, dir.resolve("half-" + dtype), dtype);
        int[][] tokens = batch(9);
        float[][][] java = ExportLm.load(export).logits(tokens);
        double rounding = maxAbsDiff(javaLogits(lm, tokens), java);
        assertTrue(rounding > 0, dtype + " export should round the weights");
        double diff = maxAbsDiff(java, pythonLogits(export, tokens));
        System.out.printf("parity %s export: max |java - torch| = %.3g (rounding moved logits by %.3g)%n", dtype, diff,
                rounding);
        assertTrue(diff <= TOLERANCE, dtype + ": PyTorch logits differ from Java by " + diff);
    }

    static Stream<DType> halfTypes() {
        return Stream.of(DType.F16, DType.BF16);
    }

    /**
     * A model trained by the real trainer (BPE tokenizer, shared expert, router biases moved by aux-loss-free
     * balancing), exported at the end of the run: PyTorch matches Java, and the export's tokenizer.json encodes
     * like the BPE the data was prepared with.
     */
    @Test
    void trainedBpeModelExportedAtTheEndOfTrainingMatchesPyTorch() throws Exception {
        StringBuilder corpus = new StringBuilder();
        String[] words = {"the", "parliament", "votes", "on", "a", "report", "about", "fish", "energy", "budget"};
        SplittableRandom rnd = new SplittableRandom(5);
        for (int line = 0; line < 300; line++) {
            for (int w = 0; w < 6 + rnd.nextInt(6); w++) corpus.append(w == 0 ? "" : " ").append(words[rnd.nextInt(words.length)]);
            corpus.append(" ").append(rnd.nextInt(100)).append(".\n");
        }
        Files.writeString(dir.resolve("corpus.txt"), corpus);
        Path yaml = dir.resolve("trained.yaml");
        Files.writeString(yaml, """
                run: {name: trained, seed: 3, out_dir: %s}
                model:
                  vocab_size: 300
                  d_model: 32
                  n_layers: 2
                  n_heads: 2
                  seq_len: 16
                  ffn: mohge
                  mohge: {groups: 4, experts_per_group: 2, widths: [16, 24, 32, 40], group_top_k: 2, top_k: 3}
                  shared: {count: 1, width: 16}
                  router: {bias_update_rate: 0.01}
                data: {corpus: %s, dir: %s, tokenizer: bpe, bpe_vocab_size: 300, val_fraction: 0.1, shard_tokens: 1024}
                trainer: {steps: 12, batch_size: 4, lr: 1.0e-2, warmup_steps: 2, log_every: 4, eval_every: 12,
                          eval_batches: 1, checkpoint_every: 12}
                export: {dtype: f32}
                """.formatted(dir.resolve("run"), dir.resolve("corpus.txt"), dir.resolve("data")));
        RunConfig cfg = ConfigLoader.load(yaml);
        io.mohge.train.TrainResult result = io.mohge.train.Trainer.run(cfg, new io.mohge.train.Trainer.Options(false, false, 0));
        Path export = Exporter.exportFinishedRun(cfg, result);
        ExportReader.ExportedModel exported = ExportReader.read(export);
        FloatTensor bias = exported.routerBiases().get("layers.0.ffn.router.expert_bias");
        float[] b = bias.data();
        assertTrue(java.util.stream.IntStream.range(0, b.length).anyMatch(i -> b[i] != 0), "training moved the biases");

        int[][] tokens = batch(10);
        float[][][] fromJava = ExportLm.of(exported).logits(tokens);
        double diff = maxAbsDiff(fromJava, pythonLogits(export, tokens));
        System.out.printf("parity trained-bpe: max |java - torch| = %.3g%n", diff);
        assertTrue(diff <= TOLERANCE, "trained model: PyTorch logits differ from Java by " + diff);

        io.mohge.data.TextTokenizer bpe;
        try (io.mohge.data.TokenDataset data = io.mohge.data.TokenDataset.open(dir.resolve("data").toString(),
                new org.apache.hadoop.conf.Configuration())) {
            bpe = data.tokenizer();
        }
        String text = "the parliament votes on the fish budget 42.";
        String out = TorchPython.run(export.resolve("modeling_mohge.py"), "generate", export.toString(), "--prompt",
                text, "--max-new-tokens", "1", "--print-ids");
        assertTrue(out.startsWith("["), out);
        Path script = dir.resolve("encode.py");
        Files.writeString(script, "import sys, json\nsys.path.insert(0, sys.argv[1])\nimport modeling_mohge\n"
                + "print(json.dumps(modeling_mohge.MohgeTokenizer.from_file(sys.argv[1] + '/tokenizer.json')"
                + ".encode(sys.argv[2])))\n");
        String ids = TorchPython.run(script, export.toString(), text).trim();
        assertEquals(java.util.Arrays.toString(bpe.encode(text)).replace(" ", ""), ids.replace(" ", ""));
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** A model whose every tensor is random: matrices N(0, 1/in), gains 1 + N(0, 0.3^2), biases N(0, 0.05^2). */
    static Transformer randomModel(ModelConfig model, long seed) {
        Transformer lm = Transformer.create(model, LossConfig.DEFAULTS, seed, DataType.FLOAT);
        ModelState state = new ModelState(lm.params());
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, FloatTensor> params = new TreeMap<>();
        for (Map.Entry<String, FloatTensor> e : state.paramTensors().entrySet()) {
            long[] shape = e.getValue().shape();
            float[] d = new float[e.getValue().data().length];
            double std = shape.length == 2 ? 1.0 / Math.sqrt(shape[0]) : 0.3;
            double mean = shape.length == 2 ? 0 : 1;
            for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rnd.nextGaussian());
            params.put(e.getKey(), new FloatTensor(shape, d));
        }
        Map<String, FloatTensor> biases = new TreeMap<>();
        for (Map.Entry<String, FloatTensor> e : state.stateTensors().entrySet()) {
            float[] d = new float[e.getValue().data().length];
            for (int i = 0; i < d.length; i++) d[i] = (float) (0.05 * rnd.nextGaussian());
            biases.put(e.getKey(), new FloatTensor(e.getValue().shape(), d));
        }
        state.load(params, biases, "random");
        return lm;
    }

    static Path export(Transformer lm, Path out, DType dtype) throws IOException {
        RunConfig base = ConfigLoader.fromYaml("run: {name: parity}", "parity");
        RunConfig cfg = new RunConfig(base.run(), lm.config(), base.losses(), base.allocation(), base.data(),
                base.trainer(), base.export(), base.distributed());
        ModelState state = new ModelState(lm.params());
        Checkpoint c = new Checkpoint(3, state.paramTensors(), new AdamW.State(3, Map.of(), Map.of()),
                state.stateTensors(), 1, 3, "{}", ConfigLoader.toYaml(cfg), "");
        Exporter.export(c, cfg.model(),
                Exporter.tokenizer(cfg.data(), cfg.model()), out, new ExportConfig("", dtype, true));
        return out;
    }

    static int[][] batch(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[][] tokens = new int[2][SEQ];
        for (int[] row : tokens) for (int t = 0; t < SEQ; t++) row[t] = rnd.nextInt(VOCAB);
        return tokens;
    }

    static float[][][] javaLogits(Transformer lm, int[][] tokens) {
        float[] flat = lm.logits(Batch.ofTokens(tokens)).data().asFloat();
        return unflatten(flat, tokens.length, SEQ, lm.config().vocabSize());
    }

    static float[][][] pythonLogits(Path export, int[][] tokens) throws IOException, InterruptedException {
        Path in = Files.createTempFile(export.getParent(), "tokens-", ".json");
        Path out = Files.createTempFile(export.getParent(), "logits-", ".f32");
        StringBuilder json = new StringBuilder("[");
        for (int b = 0; b < tokens.length; b++) json.append(b > 0 ? "," : "").append(java.util.Arrays.toString(tokens[b]));
        Files.writeString(in, json.append("]"));
        TorchPython.run(export.resolve("modeling_mohge.py"), "logits", export.toString(), "--tokens", in.toString(),
                "--out", out.toString());
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        float[] flat = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(flat);
        int vocab = flat.length / (tokens.length * SEQ);
        return unflatten(flat, tokens.length, SEQ, vocab);
    }

    static void copyExport(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.copy(f, to.resolve(f.getFileName()));
        }
    }

    static float[][][] unflatten(float[] flat, int b, int t, int v) {
        assertEquals((long) b * t * v, flat.length, "logits size");
        float[][][] out = new float[b][t][v];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) System.arraycopy(flat, (i * t + j) * v, out[i][j], 0, v);
        }
        return out;
    }

    static double maxAbsDiff(float[][][] a, float[][][] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                assertEquals(a[i][j].length, b[i][j].length, "vocabulary size");
                for (int k = 0; k < a[i][j].length; k++) max = Math.max(max, Math.abs(a[i][j][k] - b[i][j][k]));
            }
        }
        return max;
    }

    /** Max minus min logit over the batch. */
    static double spread(float[][][] a) {
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (float[][] x : a) for (float[] y : x) for (float z : y) {
            lo = Math.min(lo, z);
            hi = Math.max(hi, z);
        }
        return hi - lo;
    }
}
