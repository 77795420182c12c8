package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * config.json and generation_config.json are read by transformers and modeling_mohge.py: their bytes must stay
 * those of the earlier builds, and a bad file is refused naming the file and the key.
 * The files under src/test/resources/hf-config were written by the hand-built Gson tree HfConfig had before it
 * became a record.
 */
class HfConfigJsonTest {

    static final Map<String, ModelConfig> MODELS = Map.of(
            "dense", new ModelConfig(256, 32, 2, 2, 16, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.DENSE,
                    new ModelConfig.Dense(96), ModelConfig.Moe.DEFAULTS, ModelConfig.Mohge.DEFAULTS,
                    ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS),
            "moe", new ModelConfig(256, 32, 2, 2, 16, 500000.0, 1e-5, 0.02, ModelConfig.FfnType.MOE,
                    ModelConfig.Dense.DEFAULTS, new ModelConfig.Moe(4, 48, 2), ModelConfig.Mohge.DEFAULTS,
                    ModelConfig.Shared.DEFAULTS, new ModelConfig.Router(1.25, 0.001)),
            "mohge", new ModelConfig(256, 32, 2, 2, 16, 10000.0, 1e-6, 0.01, ModelConfig.FfnType.MOHGE,
                    ModelConfig.Dense.DEFAULTS, ModelConfig.Moe.DEFAULTS, new ModelConfig.Mohge(4, 2,
                    List.of(16, 24, 32, 40), 2, 2, ModelConfig.GroupScore.SIGMOID, ModelConfig.GateMode.RENORMALISE),
                    new ModelConfig.Shared(1, 32), new ModelConfig.Router(0.0, 0.001)));

    @Test
    void configJsonBytesAreThoseOfEarlierBuilds(@TempDir Path dir) throws IOException {
        for (var e : MODELS.entrySet()) {
            Path file = dir.resolve(e.getKey() + ".json");
            Exporter.writeJson(file, HfConfig.of(e.getValue(), DType.BF16, "bpe", 1234).toJson());
            assertEquals(golden(e.getKey()), Files.readString(file), e.getKey());
            assertEquals(e.getValue(), HfConfigReader.read(file), e.getKey() + " reads back");
        }
    }

    @Test
    void generationConfigIsGreedyAndStopsAtTheNewline() {
        assertEquals("""
                {
                  "do_sample": false,
                  "eos_token_id": 10,
                  "pad_token_id": 10,
                  "max_length": 16
                }""", Exporter.generationConfig(MODELS.get("dense")).toJson());
    }

    @Test
    void aMissingOrMistypedKeyIsNamedWithTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        String hint = "; export the checkpoint again with `mohge export` or fix this key";
        assertEquals("export: " + file + ": hidden_size: missing" + hint, reject(file, "mohge", "hidden_size", null));
        assertEquals("export: " + file + ": num_hidden_layers: expected a number, got \"two\"" + hint,
                reject(file, "mohge", "num_hidden_layers", new JsonPrimitive("two")));
        assertEquals("export: " + file + ": num_hidden_layers: expected an int, got 2.5" + hint,
                reject(file, "mohge", "num_hidden_layers", new JsonPrimitive(2.5)));
        assertEquals("export: " + file + ": expert_intermediate_sizes: expected a JSON array, got a number" + hint,
                reject(file, "mohge", "expert_intermediate_sizes", new JsonPrimitive(16)));
        assertEquals("export: " + file + ": intermediate_size: missing" + hint,
                reject(file, "dense", "intermediate_size", null));
        assertEquals("export: " + file + ": gate_mode: \"average\" is not one of [renormalise, reference]" + hint,
                reject(file, "mohge", "gate_mode", new JsonPrimitive("average")));
        assertEquals("export: " + file + ": num_expert_groups: an ffn_type moe export has one group, got 2" + hint,
                reject(file, "moe", "num_expert_groups", new JsonPrimitive(2)));
        Files.writeString(file, "[]");
        assertEquals("export: " + file + ": expected a JSON object at the top level, got a JSON array" + hint,
                assertThrows(BadInputException.class, () -> HfConfigReader.read(file)).getMessage());
    }

    @Test
    void aMergedConfigKeepsItsProvenanceAndReadsBack(@TempDir Path dir) throws IOException {
        MergeReport merge = new MergeReport("/runs/export", "task-aware", 1, "mix", "keep", new double[] {1, 0},
                Map.of(), Map.of(), Map.of(), new int[][][] {{{0, 1}}}, null, null);
        Path file = dir.resolve("config.json");
        Exporter.writeJson(file, HfConfig.of(MODELS.get("mohge"), DType.BF16, "bpe", 1234).withMerge(merge).toJson());
        JsonObject written = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        assertEquals(JsonParser.parseString(merge.toJson()), written.get("mohge_merge"));
        written.remove("mohge_merge");
        assertEquals(JsonParser.parseString(golden("mohge")), written);
        assertEquals(MODELS.get("mohge"), HfConfigReader.read(file));
    }

    /** The message of reading golden {@code model} with {@code key} set to {@code value} (null: removed). */
    private static String reject(Path file, String model, String key, JsonElement value) throws IOException {
        JsonObject json = JsonParser.parseString(golden(model)).getAsJsonObject();
        if (value == null) json.remove(key);
        else json.add(key, value);
        Files.writeString(file, json.toString());
        return assertThrows(BadInputException.class, () -> HfConfigReader.read(file)).getMessage();
    }

    static String golden(String name) throws IOException {
        try (InputStream in = HfConfigJsonTest.class.getResourceAsStream("/hf-config/" + name + ".json")) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
