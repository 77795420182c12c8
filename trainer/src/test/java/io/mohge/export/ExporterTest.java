package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.tensors.SafetensorsWriter;

import io.mohge.tensors.SafetensorsReader;

import io.mohge.tensors.HalfFloats;

import io.mohge.tensors.FloatTensor;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.Placement;
import io.mohge.allocation.PlacementStrategy;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.model.ModelConfig;
import io.mohge.train.AdamW;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.config.ExportConfig;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExporterTest {

    @TempDir
    Path dir;

    private RunConfig config(String ffn, String extra) throws IOException {
        Path yaml = dir.resolve("run-" + ffn + ".yaml");
        Files.writeString(yaml, """
                model:
                  vocab_size: 256
                  d_model: 32
                  n_layers: 2
                  n_heads: 2
                  seq_len: 16
                  ffn: %s
                  mohge:
                    groups: 4
                    experts_per_group: 2
                    widths: [16, 24, 32, 40]
                    group_top_k: 2
                    top_k: 2
                %s
                allocation:
                  ranks: 2
                """.formatted(ffn, extra));
        return ConfigLoader.load(yaml);
    }

    private static FloatTensor random(SplittableRandom rnd, long... shape) {
        float[] d = new float[(int) FloatTensor.elementCount(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextGaussian() * 0.3f;
        return new FloatTensor(shape, d);
    }

    private static Map<String, FloatTensor> params() {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, FloatTensor> params = new TreeMap<>();
        params.put("tok_embeddings.weight", random(rnd, 256, 32));
        params.put("layers.0.attention.wq.weight", random(rnd, 32, 32));
        params.put("layers.1.ffn.experts.7.w1.weight", random(rnd, 32, 40));
        params.put("layers.0.ffn.router.group.weight", random(rnd, 32, 4));
        params.put("norm.weight", random(rnd, 32));
        params.put("output.weight", random(rnd, 32, 256));
        return params;
    }

    private Path saveCheckpoint(RunConfig cfg, Map<String, FloatTensor> params, String placement) throws IOException {
        Map<String, FloatTensor> bias = Map.of("layers.0.ffn.router.expert_bias", random(new SplittableRandom(4), 8));
        Checkpoint c = new Checkpoint(77, params, new AdamW.State(77, Map.of(), Map.of()), bias, 42, 77,
                "{}", ConfigLoader.toYaml(cfg), placement);
        return new CheckpointStore(dir.resolve("ckpt"), 2).save(c);
    }

    @Test
    void exportsHuggingFaceNamesTransposedInEveryDtype() throws IOException {
        RunConfig cfg = config("mohge", "");
        Placement placement = PlacementStrategy.of(cfg.allocation().strategy())
                .place(new ExpertLayout(List.of(16, 24, 32, 40), 2), 2);
        Path ckpt = saveCheckpoint(cfg, params(), placement.toJson());
        Checkpoint saved = CheckpointStore.load(ckpt);
        Map<String, String> names = Map.of(
                "tok_embeddings.weight", "model.embed_tokens.weight",
                "layers.0.attention.wq.weight", "model.layers.0.self_attn.q_proj.weight",
                "layers.1.ffn.experts.7.w1.weight", "model.layers.1.mlp.experts.7.gate_proj.weight",
                "layers.0.ffn.router.group.weight", "model.layers.0.mlp.router.group.weight",
                "layers.0.ffn.router.expert_bias", "model.layers.0.mlp.router.expert_bias",
                "norm.weight", "model.norm.weight",
                "output.weight", "lm_head.weight");
        Set<String> transposed = Set.of("layers.0.attention.wq.weight", "layers.1.ffn.experts.7.w1.weight",
                "layers.0.ffn.router.group.weight", "output.weight");
        for (DType dtype : DType.values()) {
            Path out = dir.resolve("export-" + dtype);
            Exporter.Result r = Exporter.export(ckpt, out, new ExportConfig("", dtype, true));
            assertEquals(7, r.tensors());
            assertEquals(256 * 32 + 32 * 32 + 32 * 40 + 32 * 4 + 32 + 32 * 256, r.parameters());

            SafetensorsReader.Contents back = SafetensorsReader.read(out.resolve(Exporter.MODEL));
            Map<String, FloatTensor> expected = new TreeMap<>(saved.params());
            expected.putAll(saved.routerBiases());
            assertEquals(new TreeMap<>(names).values().stream().sorted().toList(),
                    back.entries().keySet().stream().toList());
            for (var e : expected.entrySet()) {
                FloatTensor want = transposed.contains(e.getKey()) ? e.getValue().transpose() : e.getValue();
                SafetensorsReader.Entry got = back.entries().get(names.get(e.getKey()));
                assertEquals(dtype, got.dtype(), e.getKey());
                assertArrayEquals(want.shape(), got.tensor().shape(), e.getKey());
                float[] w = want.data();
                float[] have = got.tensor().data();
                for (int i = 0; i < w.length; i++) {
                    float rounded = switch (dtype) {
                        case F32 -> w[i];
                        case F16 -> HalfFloats.fromF16(HalfFloats.toF16(w[i]));
                        case BF16 -> HalfFloats.fromBF16(HalfFloats.toBF16(w[i]));
                    };
                    assertEquals(rounded, have[i], 0f, e.getKey() + "[" + i + "]");
                }
            }
            assertArrayEquals(new long[] {40, 32}, back.entries().get("model.layers.1.mlp.experts.7.gate_proj.weight")
                    .tensor().shape(), "[out, in] like nn.Linear");
            assertEquals("pt", back.metadata().get("format"));
            assertEquals("77", back.metadata().get("mohge_training_step"));
            assertEquals(TensorNames.SCHEME, back.metadata().get("tensor_name_scheme"));

            JsonObject json = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
            assertEquals(HfConfig.torchDtype(dtype), json.get("torch_dtype").getAsString());
            Placement back2 = Placement.fromJson(Files.readString(out.resolve(Exporter.PLACEMENT)));
            assertArrayEquals(placement.physicalOrder(), back2.physicalOrder());
        }
    }

    @Test
    void configSpellsOutEveryConvention() throws IOException {
        RunConfig cfg = config("mohge", """
                  shared: {count: 2, width: 8}
                  router: {capacity_factor: 1.25, bias_update_rate: 0.001}
                """);
        Path out = dir.resolve("conventions");
        Exporter.export(saveCheckpoint(cfg, params(), ""), out, new ExportConfig("", DType.F32, true));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
        assertEquals("MohgeForCausalLM", json.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("mohge", json.get("model_type").getAsString());
        assertEquals("configuration_mohge.MohgeConfig", json.getAsJsonObject("auto_map").get("AutoConfig").getAsString());
        assertEquals("modeling_mohge.MohgeForCausalLM",
                json.getAsJsonObject("auto_map").get("AutoModelForCausalLM").getAsString());
        assertFalse(json.get("tie_word_embeddings").getAsBoolean());
        assertEquals("rotate_half", json.get("rope_layout").getAsString());
        assertEquals(1 / Math.sqrt(16), json.get("attention_scale").getAsDouble(), 0);
        assertEquals("[16,16,24,24,32,32,40,40]", json.get("expert_intermediate_sizes").toString(), "one width per expert");
        assertEquals("sigmoid", json.get("group_score_func").getAsString());
        assertEquals("softmax_in_group", json.get("expert_score_func").getAsString());
        assertEquals("renormalise", json.get("gate_mode").getAsString());
        assertTrue(json.get("group_prob_renormalise").getAsBoolean());
        assertEquals("selection_only", json.get("router_bias_use").getAsString());
        assertTrue(json.get("router_has_expert_bias").getAsBoolean());
        assertEquals(2, json.get("n_shared_experts").getAsInt());
        assertEquals(1.25, json.get("router_capacity_factor").getAsDouble(), 0);
        assertEquals("training_only", json.get("router_capacity_factor_scope").getAsString());
        assertTrue(json.getAsJsonObject("conventions").get("capacity").getAsString().contains("dropless"));
        assertEquals(cfg.model(), HfConfigReader.read(out.resolve(Exporter.CONFIG)), "config.json reads back exactly");
        for (String name : Exporter.PYTHON_FILES) {
            assertArrayEquals(Exporter.pythonSource(name), Files.readAllBytes(out.resolve(name)), name);
        }
        JsonObject gen = JsonParser.parseString(Files.readString(out.resolve(Exporter.GENERATION_CONFIG))).getAsJsonObject();
        assertEquals(10, gen.get("eos_token_id").getAsInt());
        assertTrue(Files.exists(out.resolve(Exporter.TOKENIZER)) && Files.exists(out.resolve(Exporter.TOKENIZER_CONFIG)));
    }

    @Test
    void groupTopKOneIsNotRenormalisedAndMoeIsOneGroup() throws IOException {
        RunConfig kg1 = config("mohge", "");
        ModelConfig.Mohge h = kg1.model().mohge();
        ModelConfig single = new ModelConfig(256, 32, 2, 2, 16, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.MOHGE,
                ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS, new ModelConfig.Mohge(4, 2, h.widths(), 1, 2,
                ModelConfig.GroupScore.SOFTMAX, ModelConfig.GateMode.REFERENCE), ModelConfig.Shared.DEFAULTS,
                ModelConfig.Router.DEFAULTS);
        HfConfig json = HfConfig.of(single, DType.F32, "byte", 1);
        assertFalse(json.groupProbRenormalise(), "docs/method.md: p = sigma_g when group_top_k = 1");
        assertEquals("reference", json.gateMode());

        RunConfig moe = config("moe", "");
        HfConfig m = HfConfig.of(moe.model(), DType.F32, "byte", 1);
        assertEquals(1, m.numExpertGroups());
        assertEquals(moe.model().moe().experts(), m.expertsPerGroup());
        assertEquals("renormalise", m.gateMode());
        Path file = dir.resolve("moe-config.json");
        Files.writeString(file, m.toJson());
        ModelConfig back = HfConfigReader.read(file);
        assertEquals(moe.model().moe(), back.moe());
        assertEquals(ModelConfig.FfnType.MOE, back.ffn());
    }

    @Test
    void exportFilesGetTheUmaskPermissionsOfOrdinaryFiles() throws IOException {
        Path out = dir.resolve("perms");
        Exporter.export(saveCheckpoint(config("mohge", ""), params(), "[]"), out, new ExportConfig("", DType.F32, true));
        Path reference = dir.resolve("reference-file");
        try (OutputStream o = Files.newOutputStream(reference)) {
            o.write(1);
        }
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
        assertTrue(expected.contains(PosixFilePermission.OWNER_READ), "sanity: " + expected);
        try (var files = Files.list(out)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                assertEquals(expected, Files.getPosixFilePermissions(f), f.getFileName() + " permissions");
            }
        }
    }

    @Test
    void readerRestoresCheckpointNamesAndLayout() throws IOException {
        RunConfig cfg = config("mohge", "");
        Path ckpt = saveCheckpoint(cfg, params(), "");
        Path out = dir.resolve("roundtrip");
        Exporter.export(ckpt, out, new ExportConfig("", DType.F32, true));
        ExportReader.ExportedModel back = ExportReader.read(out);
        Checkpoint saved = CheckpointStore.load(ckpt);
        assertEquals(saved.params(), back.params());
        assertEquals(saved.routerBiases(), back.routerBiases());
        assertEquals(77, back.step());
        assertEquals(cfg.model(), back.config());
    }

    @Test
    void unknownNamesAreRefusedBothWays() throws IOException {
        var e = assertThrows(BadInputException.class, () -> TensorNames.exported("layers.0.attn.wq"));
        assertTrue(e.getMessage().contains("layers.0.attn.wq"), e.getMessage());
        assertNull(TensorNames.checkpoint("model.layers.0.mlp.experts.01.gate_proj.weight"));
        assertEquals(new TensorNames.Exported("layers.12.ffn.shared.w2.weight", true),
                TensorNames.checkpoint("model.layers.12.mlp.shared_experts.down_proj.weight"));

        Path out = dir.resolve("foreign");
        Exporter.export(saveCheckpoint(config("mohge", ""), params(), ""), out, new ExportConfig("", DType.F32, true));
        Map<String, FloatTensor> tensors = new TreeMap<>(SafetensorsReader.read(out.resolve(Exporter.MODEL)).tensors());
        tensors.put("model.layers.0.mlp.gate.weight", new FloatTensor(new long[] {1}, new float[] {0}));
        SafetensorsWriter.write(out.resolve(Exporter.MODEL), tensors, DType.F32,
                Map.of("tensor_name_scheme", TensorNames.SCHEME));
        var e2 = assertThrows(BadInputException.class, () -> ExportReader.read(out));
        assertTrue(e2.getMessage().contains("model.layers.0.mlp.gate.weight"), e2.getMessage());
    }

    @Test
    void denseModelHasNoPlacementAndReportsItsWidth() throws IOException {
        RunConfig cfg = config("dense", "");
        Path ckpt = saveCheckpoint(cfg, params(), "");
        Path out = dir.resolve("dense");
        Files.createDirectories(out);
        Files.writeString(out.resolve(Exporter.PLACEMENT), "stale");
        Exporter.export(ckpt, out, new ExportConfig("", DType.F32, true));
        assertFalse(Files.exists(out.resolve(Exporter.PLACEMENT)));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
        assertEquals("dense", json.get("ffn_type").getAsString());
        assertEquals(cfg.model().dense().width(), json.get("intermediate_size").getAsInt());
        assertFalse(json.has("num_experts"));
    }

    @Test
    void corruptCheckpointIsNotExported() throws IOException {
        Path ckpt = saveCheckpoint(config("mohge", ""), params(), "");
        Path params = ckpt.resolve("params.safetensors");
        byte[] b = Files.readAllBytes(params);
        b[b.length / 2] ^= 1;
        Files.write(params, b);
        Path out = dir.resolve("never");
        var e = assertThrows(BadInputException.class,
                () -> Exporter.export(ckpt, out, new ExportConfig("", DType.F32, true)));
        assertTrue(e.getMessage().contains(params.toString()), e.getMessage());
        assertFalse(Files.exists(out.resolve(Exporter.MODEL)));
    }

    @Test
    void configReaderNamesTheBadKey() throws IOException {
        Path out = dir.resolve("bad-config");
        Exporter.export(saveCheckpoint(config("mohge", ""), params(), ""), out, new ExportConfig("", DType.F32, true));
        Path file = out.resolve(Exporter.CONFIG);
        JsonObject json = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        json.addProperty("gate_mode", "average");
        Files.writeString(file, json.toString());
        var e = assertThrows(BadInputException.class, () -> HfConfigReader.read(file));
        assertTrue(e.getMessage().contains("gate_mode") && e.getMessage().contains("renormalise"), e.getMessage());
        json.remove("gate_mode");
        json.addProperty("rope_layout", "interleaved");
        Files.writeString(file, json.toString());
        e = assertThrows(BadInputException.class, () -> HfConfigReader.read(file));
        assertTrue(e.getMessage().contains("rope_layout"), e.getMessage());
    }
}
