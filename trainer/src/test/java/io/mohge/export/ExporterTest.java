package io.mohge.export;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.Placement;
import io.mohge.allocation.PlacementStrategy;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.train.AdamW;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.ExportConfig;
import io.mohge.train.ExportConfig.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExporterTest {

    @TempDir
    Path dir;

    private RunConfig config(String ffn) throws IOException {
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
                allocation:
                  ranks: 2
                """.formatted(ffn));
        return ConfigLoader.load(yaml);
    }

    private static FloatTensor random(SplittableRandom rnd, long... shape) {
        float[] d = new float[(int) FloatTensor.elementCount(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) rnd.nextGaussian() * 0.3f;
        return new FloatTensor(shape, d);
    }

    private Path saveCheckpoint(RunConfig cfg, String placement) throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, FloatTensor> params = new TreeMap<>();
        params.put("embedding", random(rnd, 256, 32));
        params.put("layers.0.attn.wq", random(rnd, 32, 32));
        params.put("layers.0.ffn.experts.g3.w1", random(rnd, 2, 32, 40));
        params.put("final_norm.gain", random(rnd, 32));
        Map<String, FloatTensor> bias = Map.of("layers.0.router.expert_bias", random(rnd, 8));
        Checkpoint c = new Checkpoint(77, params, new AdamW.State(77, Map.of(), Map.of()), bias, 42, 77,
                "{}", ConfigLoader.toYaml(cfg), placement);
        return new CheckpointStore(dir.resolve("ckpt"), 2).save(c);
    }

    @Test
    void exportsEveryTensorConfigAndPlacement() throws IOException {
        RunConfig cfg = config("mohge");
        Placement placement = PlacementStrategy.of(cfg.allocation().strategy())
                .place(new ExpertLayout(List.of(16, 24, 32, 40), 2), 2);
        Path ckpt = saveCheckpoint(cfg, placement.toJson());
        Checkpoint saved = CheckpointStore.load(ckpt);
        for (DType dtype : DType.values()) {
            Path out = dir.resolve("export-" + dtype);
            Exporter.Result r = Exporter.export(ckpt, out, new ExportConfig("", dtype, true));
            assertEquals(5, r.tensors());
            assertEquals(256 * 32 + 32 * 32 + 2 * 32 * 40 + 32, r.parameters());

            SafetensorsReader.Contents back = SafetensorsReader.read(out.resolve(Exporter.MODEL));
            Map<String, FloatTensor> expected = new TreeMap<>(saved.params());
            expected.putAll(saved.routerBiases());
            assertEquals(expected.keySet(), back.entries().keySet());
            for (var e : expected.entrySet()) {
                SafetensorsReader.Entry got = back.entries().get(e.getKey());
                assertEquals(dtype, got.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), got.tensor().shape(), e.getKey());
                float[] want = e.getValue().data();
                float[] have = got.tensor().data();
                for (int i = 0; i < want.length; i++) {
                    float w = switch (dtype) {
                        case F32 -> want[i];
                        case F16 -> HalfFloats.fromF16(HalfFloats.toF16(want[i]));
                        case BF16 -> HalfFloats.fromBF16(HalfFloats.toBF16(want[i]));
                    };
                    assertEquals(w, have[i], 0f, e.getKey() + "[" + i + "]");
                    // the conversions keep relative error within half an ulp of the target format
                    double tol = dtype == DType.F32 ? 0 : dtype == DType.F16 ? 1e-3 : 4e-3;
                    assertTrue(Math.abs(have[i] - want[i]) <= tol * Math.abs(want[i]) + 1e-7, e.getKey());
                }
            }
            assertEquals("pt", back.metadata().get("format"));
            assertEquals("77", back.metadata().get("mohge_training_step"));

            JsonObject json = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
            assertEquals("MohgeForCausalLM", json.getAsJsonArray("architectures").get(0).getAsString());
            assertEquals(256, json.get("vocab_size").getAsInt());
            assertEquals(32, json.get("hidden_size").getAsInt());
            assertEquals(2, json.get("num_hidden_layers").getAsInt());
            assertEquals(2, json.get("num_attention_heads").getAsInt());
            assertEquals("mohge", json.get("ffn_type").getAsString());
            assertEquals(4, json.get("num_expert_groups").getAsInt());
            assertEquals(8, json.get("num_experts").getAsInt());
            assertEquals("[16,24,32,40]", json.get("expert_intermediate_sizes").toString());
            assertEquals(2, json.get("group_top_k").getAsInt());
            assertEquals("sigmoid", json.get("group_score_func").getAsString());
            assertEquals(TensorNames.SCHEME, json.get("tensor_name_scheme").getAsString());
            Placement back2 = Placement.fromJson(Files.readString(out.resolve(Exporter.PLACEMENT)));
            assertArrayEquals(placement.physicalOrder(), back2.physicalOrder());
        }
    }

    @Test
    void denseModelHasNoPlacementAndReportsItsWidth() throws IOException {
        RunConfig cfg = config("dense");
        Path ckpt = saveCheckpoint(cfg, "");
        Path out = dir.resolve("dense");
        Files.createDirectories(out);
        Files.writeString(out.resolve(Exporter.PLACEMENT), "stale");
        Exporter.export(ckpt, out, new ExportConfig("", DType.F32, true));
        assertFalse(Files.exists(out.resolve(Exporter.PLACEMENT)));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve(Exporter.CONFIG))).getAsJsonObject();
        assertEquals("dense", json.get("ffn_type").getAsString());
        assertEquals(cfg.model().dense().width(), json.get("intermediate_size").getAsInt());
    }

    @Test
    void corruptCheckpointIsNotExported() throws IOException {
        Path ckpt = saveCheckpoint(config("mohge"), "");
        Path params = ckpt.resolve("params.safetensors");
        byte[] b = Files.readAllBytes(params);
        b[b.length / 2] ^= 1;
        Files.write(params, b);
        Path out = dir.resolve("never");
        var e = assertThrows(IllegalArgumentException.class,
                () -> Exporter.export(ckpt, out, new ExportConfig("", DType.F32, true)));
        assertTrue(e.getMessage().contains(params.toString()), e.getMessage());
        assertFalse(Files.exists(out.resolve(Exporter.MODEL)));
    }
}
