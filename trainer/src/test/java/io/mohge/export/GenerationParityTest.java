package io.mohge.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.mohge.cli.Main;
import io.mohge.engine.Sampler;
import io.mohge.engine.Transformer;
import io.mohge.generate.Generator;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Greedy generation in Java (the engine's key/value-cache decoder) and in PyTorch (the export's
 * modeling_mohge.py) gives the same 32 tokens, for every FFN variant, and `mohge generate` streams text from an
 * export.
 */
class GenerationParityTest {

    private static final int SEQ = 40;                 // prompt + 32 new tokens fit: no sliding window on either side
    private static final int[] PROMPT = {84, 104, 101, 32};
    private static final int NEW = 32;

    @TempDir
    static Path dir;

    static ModelConfig model(ModelConfig.FfnType ffn, ModelConfig.Mohge mohge, ModelConfig.Shared shared,
                             ModelConfig.Router router) {
        return new ModelConfig(TorchParityTest.VOCAB, 32, 2, 2, SEQ, 10000.0, 1e-6, 0.02, ffn,
                new ModelConfig.Dense(48), new ModelConfig.Moe(4, 24, 2), mohge, shared, router);
    }

    static Stream<Arguments> variants() {
        ModelConfig.Mohge mohge = new ModelConfig.Mohge(4, 2, List.of(16, 24, 32, 40), 2, 3, GroupScore.SIGMOID,
                GateMode.RENORMALISE);
        return Stream.of(
                Arguments.of("dense", model(ModelConfig.FfnType.DENSE, mohge, TorchParityTest.NO_SHARED,
                        TorchParityTest.NO_BIAS)),
                Arguments.of("moe", model(ModelConfig.FfnType.MOE, mohge, TorchParityTest.NO_SHARED,
                        TorchParityTest.NO_BIAS)),
                Arguments.of("mohge", model(ModelConfig.FfnType.MOHGE, mohge, TorchParityTest.NO_SHARED,
                        TorchParityTest.NO_BIAS)),
                Arguments.of("mohge-shared-bias", model(ModelConfig.FfnType.MOHGE, mohge, new ModelConfig.Shared(1, 16),
                        TorchParityTest.BIAS)),
                Arguments.of("mohge-reference-softmax", model(ModelConfig.FfnType.MOHGE, new ModelConfig.Mohge(4, 2,
                        List.of(16, 24, 32, 40), 1, 2, GroupScore.SOFTMAX, GateMode.REFERENCE),
                        TorchParityTest.NO_SHARED, TorchParityTest.BIAS)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void greedyTokensMatchPyTorch(String name, ModelConfig model) throws Exception {
        Transformer lm = TorchParityTest.randomModel(model, name.hashCode());
        Path export = TorchParityTest.export(lm, dir.resolve(name), DType.F32);
        int[] fromJava = new Generator(lm).generate(PROMPT, NEW, Sampler.greedy(), -1, id -> { }).tokens();

        String out = TorchPython.run(export.resolve("modeling_mohge.py"), "generate", export.toString(),
                "--prompt-ids", "84,104,101,32", "--max-new-tokens", String.valueOf(NEW), "--no-stop", "--print-ids");
        JsonArray ids = JsonParser.parseString(out.trim()).getAsJsonArray();
        int[] torch = new int[ids.size()];
        for (int i = 0; i < torch.length; i++) torch[i] = ids.get(i).getAsInt();
        System.out.printf("generation %s: %s%n", name, java.util.Arrays.toString(fromJava));
        assertArrayEquals(torch, fromJava, name + ": greedy tokens differ between Java and PyTorch");
        assertTrue(java.util.Arrays.stream(fromJava).distinct().count() > 3, name + ": a degenerate generation proves little");
    }

    @Test
    void generateCommandStreamsAContinuationOfThePrompt() throws Exception {
        ModelConfig model = model(ModelConfig.FfnType.MOHGE, new ModelConfig.Mohge(4, 2, List.of(16, 24, 32, 40), 2, 3,
                GroupScore.SIGMOID, GateMode.RENORMALISE), TorchParityTest.NO_SHARED, TorchParityTest.NO_BIAS);
        Path export = TorchParityTest.export(TorchParityTest.randomModel(model, 4), dir.resolve("cli"), DType.F32);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "generate", "--export",
                export.toString(), "--prompt", "The Commission", "--max-new-tokens", "12", "--no-stop", "--seed", "3");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().startsWith("The Commission"), out.toString());
        assertTrue(out.toString().length() > "The Commission".length(), out.toString());
        assertTrue(err.toString().contains("12 tokens in"), err.toString());

        StringWriter ids = new StringWriter();
        Main.run(new PrintWriter(ids, true), new PrintWriter(new StringWriter(), true), "generate", "--export",
                export.toString(), "--prompt-ids", "84,104,101,32", "--max-new-tokens", "8", "--temperature", "0",
                "--no-stop", "--print-ids");
        Transformer lm = io.mohge.generate.ServingModel.fromExport(export).model();
        int[] direct = new Generator(lm).generate(PROMPT, 8, Sampler.greedy(), -1, id -> { }).tokens();
        assertEquals(java.util.Arrays.toString(direct).replace(" ", ""), ids.toString().trim(),
                "the CLI's greedy ids are the generator's");

        StringWriter bad = new StringWriter();
        int refused = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(bad, true), "generate",
                "--export", export.toString(), "--checkpoint", export.toString(), "--prompt", "x");
        assertEquals(Main.EXIT_BAD_INPUT, refused);
        assertTrue(bad.toString().startsWith("error: "), bad.toString());
    }
}
