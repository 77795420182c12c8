package io.mohge.export;

import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * config.json is read by transformers and modeling_mohge.py: its bytes must stay those of the earlier builds.
 * The files under src/test/resources/hf-config were written by the hand-built Gson tree HfConfig had before it
 * became a record.
 */
class HfConfigGoldenTest {

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
    void configJsonBytesAreThoseOfEarlierBuilds(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        for (var e : MODELS.entrySet()) {
            Path file = dir.resolve(e.getKey() + ".json");
            Exporter.writeJson(file, HfConfig.of(e.getValue(), DType.BF16, "bpe", 1234));
            assertEquals(golden(e.getKey()), Files.readString(file), e.getKey());
            assertEquals(e.getValue(), HfConfigReader.read(file), e.getKey() + " reads back");
        }
    }

    static String golden(String name) throws IOException {
        try (InputStream in = HfConfigGoldenTest.class.getResourceAsStream("/hf-config/" + name + ".json")) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
