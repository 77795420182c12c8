package io.mohge.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.mohge.data.BpeTokenizer;
import io.mohge.data.BpeTrainer;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.TextTokenizer;
import io.mohge.engine.Transformer;
import io.mohge.model.ModelConfig;
import io.mohge.tensors.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-PyTorch core beyond one forward pass: its pure-Python tokenizer against our Java tokenizers, its KV
 * cache against a full forward, and its greedy generation against the Java model's argmax (teacher-forced: in a
 * causal model the logits at position t depend on tokens 0..t only, so every greedy token must be the Java
 * argmax at the previous position of the finished sequence).
 */
class PythonCoreTest {

    static final List<String> TEXTS = List.of("The Commission's proposal, of 12 May 2004 - adopted.",
            "Herr Präsident, meine Damen und Herren!  Ç'est ça : 100 %", "  two  spaces\tand\ttabs  ",
            "Ελληνικά και 日本語のテキスト ①②", "");

    @TempDir
    Path dir;

    @Test
    void pythonTokenizerMatchesJavaByteAndBpe() throws Exception {
        BpeTrainer trainer = new BpeTrainer();
        for (int i = 0; i < 40; i++) {
            for (String t : TEXTS) trainer.addDocument(t + " " + i % 7);
            trainer.addDocument("the european parliament and the commission of the european union " + i);
        }
        BpeTokenizer bpe = trainer.train(400);
        assertTrue(bpe.vocabSize() > 300, "the BPE should learn merges: " + bpe.vocabSize());
        for (TextTokenizer tok : List.of(new ByteTokenizer(), bpe)) {
            Path file = dir.resolve(tok.kind() + "-tokenizer.json");
            Files.writeString(file, HfTokenizer.json(tok).toString());
            Path texts = dir.resolve("texts.json");
            JsonArray array = new JsonArray();
            TEXTS.forEach(array::add);
            Files.writeString(texts, array.toString(), StandardCharsets.UTF_8);
            String out = runCore("""
                    import json, sys
                    tok = modeling_mohge.MohgeTokenizer.from_file(sys.argv[2])
                    texts = json.load(open(sys.argv[3], encoding="utf-8"))
                    ids = [tok.encode(t) for t in texts]
                    print(json.dumps({"ids": ids, "decoded": [tok.decode(i) for i in ids]}))
                    """, file.toString(), texts.toString());
            var result = JsonParser.parseString(out).getAsJsonObject();
            for (int i = 0; i < TEXTS.size(); i++) {
                JsonArray got = result.getAsJsonArray("ids").get(i).getAsJsonArray();
                int[] ids = new int[got.size()];
                for (int j = 0; j < ids.length; j++) ids[j] = got.get(j).getAsInt();
                assertArrayEquals(tok.encode(TEXTS.get(i)), ids, tok.kind() + ": " + TEXTS.get(i));
                assertEquals(TEXTS.get(i), result.getAsJsonArray("decoded").get(i).getAsString());
            }
            if (tok == bpe) {
                assertTrue(Arrays.stream(tok.encode(TEXTS.get(0))).anyMatch(id -> id >= 256), "merges were used");
            }
        }
    }

    @Test
    void kvCacheAndGreedyGenerationAgreeWithFullForwardAndJava() throws Exception {
        ModelConfig model = TorchParityTest.model(ModelConfig.FfnType.MOHGE, TorchParityTest.MOHGE,
                new ModelConfig.Shared(1, 16), TorchParityTest.BIAS);
        Transformer lm = TorchParityTest.randomModel(model, 21);
        Path export = TorchParityTest.export(lm, dir.resolve("gen"), DType.F32);

        String cache = runCore("""
                import torch, sys
                m = modeling_mohge.MohgeCausalLM.from_export(sys.argv[2])
                ids = torch.randint(0, 256, (2, 16), generator=torch.Generator().manual_seed(3))
                with torch.no_grad():
                    full = m(ids)
                    c = modeling_mohge.KVCache()
                    parts = [m(ids[:, :5], cache=c)] + [m(ids[:, t:t + 1], cache=c) for t in range(5, 16)]
                print(float((torch.cat(parts, 1) - full).abs().max()))
                """, export.toString());
        assertTrue(Double.parseDouble(cache.trim()) < 1e-5, "cached decoding differs from a full forward by " + cache);

        int[] prompt = {84, 104, 101, 32};
        String out = TorchPython.run(export.resolve("modeling_mohge.py"), "generate", export.toString(), "--prompt-ids",
                "84,104,101,32", "--max-new-tokens", String.valueOf(TorchParityTest.SEQ - prompt.length), "--no-stop",
                "--print-ids");
        JsonArray generated = JsonParser.parseString(out.trim()).getAsJsonArray();
        assertEquals(TorchParityTest.SEQ - prompt.length, generated.size());
        int[][] sequence = new int[1][TorchParityTest.SEQ];
        System.arraycopy(prompt, 0, sequence[0], 0, prompt.length);
        for (int i = 0; i < generated.size(); i++) sequence[0][prompt.length + i] = generated.get(i).getAsInt();
        float[][][] logits = TorchParityTest.javaLogits(lm, sequence);
        for (int t = prompt.length; t < TorchParityTest.SEQ; t++) {
            assertEquals(argmax(logits[0][t - 1]), sequence[0][t], "greedy token at position " + t);
        }
    }

    @Test
    void generateCommandStreamsTextAndReportsSpeed() throws Exception {
        Transformer lm = TorchParityTest.randomModel(TorchParityTest.model(ModelConfig.FfnType.MOE, TorchParityTest.MOHGE,
                TorchParityTest.NO_SHARED, TorchParityTest.NO_BIAS), 2);
        Path export = TorchParityTest.export(lm, dir.resolve("cli"), DType.BF16);
        String out = TorchPython.run(export.resolve("modeling_mohge.py"), "generate", export.toString(), "--prompt",
                "The Commission", "--max-new-tokens", "8", "--temperature", "0.8", "--top-k", "40", "--top-p", "0.9",
                "--seed", "1", "--no-stop");
        assertTrue(out.startsWith("The Commission"), out);
        assertTrue(out.getBytes(StandardCharsets.UTF_8).length > "The Commission".length(), out);
    }

    /** bench/torch_anchor.py builds the model a run config describes (same parameter count as Java) and trains. */
    @Test
    void speedAnchorTrainsTheConfiguredModel() throws Exception {
        Path script = Path.of("..", "bench", "torch_anchor.py").toAbsolutePath().normalize();
        String config = "{\"model\": {\"d_model\": 32, \"n_heads\": 2, \"seq_len\": 16, \"dense\": {\"width\": 48},"
                + " \"moe\": {\"experts\": 4, \"width\": 24}, \"mohge\": {\"widths\": [16, 24, 32, 40], \"top_k\": 3},"
                + " \"shared\": {\"count\": 1, \"width\": 16}}, \"trainer\": {\"batch_size\": 2}}";
        for (ModelConfig.FfnType ffn : ModelConfig.FfnType.values()) {
            String name = ffn.name().toLowerCase(java.util.Locale.ROOT);
            String out = TorchPython.run(script, "--ffn", name, "--config", config, "--steps", "2", "--warmup", "1");
            var json = JsonParser.parseString(out.trim()).getAsJsonObject();
            ModelConfig java = TorchParityTest.model(ffn, TorchParityTest.MOHGE, new ModelConfig.Shared(1, 16),
                    TorchParityTest.NO_BIAS);
            long params = Transformer.create(java, io.mohge.losses.LossConfig.DEFAULTS, 1,
                    org.nd4j.linalg.api.buffer.DataType.FLOAT).params().size();
            assertEquals(name, json.get("ffn").getAsString());
            assertEquals(params, json.get("params").getAsLong(), name + ": same parameters as the Java model");
            assertEquals(2, json.get("timed_steps").getAsInt());
            assertTrue(json.get("tokens_per_s").getAsDouble() > 0, out);
            assertTrue(Double.isFinite(json.get("last_lm_loss").getAsDouble()), out);
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Runs a Python snippet with modeling_mohge importable; the snippet sees sys.argv[1:] = {@code args}. */
    private String runCore(String body, String... args) throws IOException, InterruptedException {
        Path core = dir.resolve("core");
        Files.createDirectories(core);
        Files.write(core.resolve("modeling_mohge.py"), Exporter.pythonSource("modeling_mohge.py"));
        Path script = dir.resolve("snippet.py");
        Files.writeString(script, "import sys\nsys.path.insert(0, " + pyString(core.toString()) + ")\n"
                + "import modeling_mohge\n" + body);
        String[] all = new String[args.length + 1];
        all[0] = "unused";
        System.arraycopy(args, 0, all, 1, args.length);
        return TorchPython.run(script, all);
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
