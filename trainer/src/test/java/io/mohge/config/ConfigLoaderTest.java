package io.mohge.config;

import io.mohge.allocation.AllocationConfig;
import io.mohge.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path yaml(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private ConfigException fails(Path base, List<Path> overrides, List<String> sets) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(base, overrides, sets));
    }

    private ConfigException fails(String yamlText) throws IOException {
        return fails(yaml("bad.yaml", yamlText), List.of(), List.of());
    }

    private static void assertMessage(ConfigException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "message lacks '" + part + "': " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ precedence

    @Test
    void overridesApplyInOrderAndSetWins() throws IOException {
        Path base = yaml("base.yaml", """
                trainer:
                  steps: 100
                  batch_size: 8
                  lr: 1.0e-3
                model:
                  d_model: 64
                """);
        Path first = yaml("first.yaml", """
                trainer:
                  steps: 200
                  batch_size: 4
                """);
        Path second = yaml("second.yaml", """
                trainer:
                  steps: 300
                """);
        RunConfig c = ConfigLoader.load(base, List.of(first, second), List.of("trainer.lr=5e-4"));
        assertEquals(300, c.trainer().steps(), "the later override wins over the earlier one");
        assertEquals(4, c.trainer().batchSize(), "an override wins over the base");
        assertEquals(5e-4, c.trainer().lr(), "--set wins over every file");
        assertEquals(64, c.model().dModel(), "keys only in the base survive");
        assertEquals(ModelConfig.DEFAULTS.nLayers(), c.model().nLayers(), "omitted keys take defaults");
    }

    @Test
    void setBeatsOverrideForTheSameKey() throws IOException {
        Path base = yaml("base.yaml", "trainer:\n  steps: 10\n");
        Path over = yaml("over.yaml", "trainer:\n  steps: 20\n");
        RunConfig c = ConfigLoader.load(base, List.of(over), List.of("trainer.steps=30"));
        assertEquals(30, c.trainer().steps());
    }

    @Test
    void listsAreReplacedNotMerged() throws IOException {
        Path base = yaml("base.yaml", """
                model:
                  mohge:
                    groups: 4
                    experts_per_group: 2
                    widths: [128, 192, 256, 320]
                """);
        Path over = yaml("over.yaml", """
                model:
                  mohge:
                    groups: 2
                    group_top_k: 1
                    top_k: 2
                    widths: [64, 96]
                """);
        RunConfig c = ConfigLoader.load(base, List.of(over), List.of());
        assertEquals(List.of(64, 96), c.model().mohge().widths());
        RunConfig s = ConfigLoader.load(base, List.of(), List.of("model.mohge.widths=[100, 200, 300, 400]"));
        assertEquals(List.of(100, 200, 300, 400), s.model().mohge().widths());
    }

    @Test
    void enumsAcceptKebabCaseAndShippedConfigsLoad() throws IOException {
        RunConfig c = ConfigLoader.load(yaml("e.yaml", """
                model:
                  ffn: moe
                allocation:
                  strategy: contiguous
                  ranks: 2
                """));
        assertEquals(ModelConfig.FfnType.MOE, c.model().ffn());
        assertEquals(AllocationConfig.Strategy.CONTIGUOUS, c.allocation().strategy());

        Path configs = Path.of("..", "configs");
        RunConfig tiny = ConfigLoader.load(configs.resolve("mohge-tiny.yaml"));
        assertEquals(ModelConfig.FfnType.MOHGE, tiny.model().ffn());
        RunConfig moe = ConfigLoader.load(configs.resolve("mohge-tiny.yaml"),
                List.of(configs.resolve("ffn/moe.yaml")), List.of());
        assertEquals(ModelConfig.FfnType.MOE, moe.model().ffn());
        assertEquals("moe-tiny", moe.run().name());
        RunConfig a3b = ConfigLoader.load(configs.resolve("reference-a3b.yaml"));
        assertEquals(List.of(384, 512, 640, 768, 896, 1024, 1152, 1280), a3b.model().mohge().widths());
    }

    @Test
    void resolvedYamlLoadsBackToTheSameConfig() throws IOException {
        RunConfig original = ConfigLoader.load(Path.of("..", "configs", "mohge-tiny.yaml"),
                List.of(), List.of("trainer.steps=70", "model.router.capacity_factor=1.25"));
        Path saved = yaml("resolved.yaml", ConfigLoader.toYaml(original));
        assertEquals(original, ConfigLoader.load(saved));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void unknownKeyIsNamedWithSuggestionAndFile() throws IOException {
        ConfigException e = fails("""
                model:
                  mohge:
                    top_kk: 2
                """);
        assertMessage(e, "Unknown key model.mohge.top_kk", "bad.yaml", "Did you mean top_k?",
                "Allowed keys under model.mohge: groups, experts_per_group, widths");
    }

    @Test
    void unknownTopLevelSection() throws IOException {
        ConfigException e = fails("optimizer:\n  lr: 0.1\n");
        assertMessage(e, "Unknown key optimizer.lr", "Allowed keys at top level: run, model, losses, allocation, data, trainer, export, distributed, mixture");
    }

    @Test
    void wrongTypeNamesKeyFileAndExpectation() throws IOException {
        ConfigException e = fails("trainer:\n  steps: many\n");
        assertMessage(e, "Invalid trainer.steps", "bad.yaml", "expected a whole number", "'many'");
        ConfigException fractional = fails("trainer:\n  batch_size: 2.5\n");
        assertMessage(fractional, "Invalid trainer.batch_size", "expected a whole number", "2.5");
    }

    @Test
    void topKLargerThanExperts() throws IOException {
        ConfigException e = fails("""
                model:
                  ffn: moe
                  moe:
                    experts: 4
                    top_k: 6
                allocation:
                  ranks: 2
                """);
        assertMessage(e, "Invalid model.moe.top_k (from ", "bad.yaml", "6 is larger than experts = 4",
                "choose top_k between 1 and 4");
    }

    @Test
    void oddGroupCountRefusedForDecoupledAllocation() throws IOException {
        ConfigException e = fails("""
                model:
                  mohge:
                    groups: 3
                    experts_per_group: 2
                    widths: [64, 96, 128]
                    group_top_k: 2
                    top_k: 2
                allocation:
                  strategy: all-size-decoupled
                  ranks: 2
                """);
        assertMessage(e, "Invalid allocation.strategy", "needs an even number of groups",
                "model.mohge.groups = 3", "contiguous");
    }

    @Test
    void nonPositiveAndUnsortedWidths() throws IOException {
        ConfigException zero = fails("model:\n  mohge:\n    widths: [0, 192, 256, 320]\n");
        assertMessage(zero, "Invalid model.mohge.widths", "must be positive", "[0, 192, 256, 320]");
        ConfigException unsorted = fails("model:\n  mohge:\n    widths: [256, 128, 192, 320]\n");
        assertMessage(unsorted, "Invalid model.mohge.widths", "must grow strictly", "sort them ascending");
        ConfigException count = fails("model:\n  mohge:\n    widths: [128, 256]\n");
        assertMessage(count, "Invalid model.mohge.widths", "one width per group (4 values)");
    }

    @Test
    void aBadListElementIsReportedOnce() throws IOException {
        ConfigException e = fails("model:\n  mohge:\n    widths: [128, wide, 256, 320]\n");
        assertTrue(e.getMessage().startsWith("Invalid model.mohge.widths (from "), e.getMessage());
        assertTrue(e.getMessage().endsWith("expected a whole number, got 'wide'"), e.getMessage());
        assertEquals(1, e.getMessage().split("Invalid", -1).length - 1, e.getMessage());
    }

    @Test
    void ranksMustDivideExperts() throws IOException {
        ConfigException e = fails("allocation:\n  ranks: 3\n");
        assertMessage(e, "Invalid allocation.ranks", "3 does not divide the 8 routed experts",
                "choose one of 1, 2, 4, 8");
        ConfigException tooMany = fails("allocation:\n  ranks: 16\n");
        assertMessage(tooMany, "16 ranks exceed the 8 routed experts");
    }

    @Test
    void unknownEnumValueListsChoices() throws IOException {
        ConfigException e = fails("model:\n  ffn: sparse\n");
        assertMessage(e, "Invalid model.ffn", "expected one of dense, moe, mohge", "'sparse'");
        ConfigException gate = fails("model:\n  mohge:\n    gate_mode: softmax\n");
        assertMessage(gate, "Invalid model.mohge.gate_mode", "renormalise, reference");
    }

    @Test
    void missingFileAndBrokenYaml() throws IOException {
        ConfigException missing = fails(dir.resolve("nope.yaml"), List.of(), List.of());
        assertMessage(missing, "Config file", "nope.yaml not found", "--config configs/mohge-tiny.yaml");
        ConfigException syntax = fails("model:\n  d_model: [1, 2\n  n_layers: 3\n");
        assertMessage(syntax, "bad.yaml is not valid YAML", "line");
        ConfigException list = fails("- a\n- b\n");
        assertMessage(list, "must hold a mapping of sections", "list");
    }

    @Test
    void badSetArgumentsAndSourceOfSetValues() throws IOException {
        Path base = yaml("ok.yaml", "trainer:\n  steps: 5\n");
        ConfigException noEquals = fails(base, List.of(), List.of("trainer.steps"));
        assertMessage(noEquals, "--set expects key=value", "'trainer.steps'");
        ConfigException fromSet = fails(base, List.of(), List.of("trainer.warmup_steps=10"));
        assertMessage(fromSet, "Invalid trainer.warmup_steps (from --set)", "[0, steps = 5)");
    }

    @Test
    void sectionGivenAScalar() throws IOException {
        ConfigException e = fails("model: 5\n");
        assertMessage(e, "model is a section", "give it keys (vocab_size, d_model");
    }

    @Test
    void vocabularyMustMatchTokenizer() throws IOException {
        ConfigException e = fails("model:\n  vocab_size: 300\n");
        assertMessage(e, "Invalid model.vocab_size", "does not match the vocabulary of data.tokenizer = byte (256)",
                "set model.vocab_size: 256");
    }

    @Test
    void headSizeMustSuitRope() throws IOException {
        ConfigException e = fails("model:\n  d_model: 96\n  n_heads: 32\n");
        assertMessage(e, "Invalid model.n_heads", "must be even for RoPE");
    }

    // ------------------------------------------------------------------ hardening (issue 17)

    /** Every dotted key of a double in the config records, found by walking RunConfig. */
    private static List<String> doubleKeys(Class<?> type, String prefix) {
        List<String> keys = new java.util.ArrayList<>();
        for (var c : type.getRecordComponents()) {
            String key = prefix + ConfigLoader.snake(c.getName());
            if (c.getType().isRecord()) keys.addAll(doubleKeys(c.getType(), key + "."));
            else if (c.getType() == double.class) keys.add(key);
        }
        return keys;
    }

    @Test
    void infinityIsRejectedForEveryDoubleKey() throws IOException {
        Path base = yaml("valid.yaml", "trainer:\n  steps: 50\n");
        ConfigLoader.load(base, List.of(), List.of("trainer.lr=1e-3")); // the base is valid: only the value is wrong
        List<String> keys = doubleKeys(RunConfig.class, "");
        assertTrue(keys.containsAll(List.of("trainer.lr", "model.init_std", "model.rope_theta", "losses.group_coef",
                "model.router.capacity_factor", "data.val_fraction")), keys.toString());
        for (String key : keys) {
            for (String value : List.of("Infinity", "-Infinity", ".inf", "NaN")) {
                assertMessage(fails(base, List.of(), List.of(key + "=" + value)),
                        "Invalid " + key + " (from --set): expected a finite number");
            }
        }
        assertMessage(fails("trainer:\n  lr: .inf\n"), "Invalid trainer.lr (from " + dir.resolve("bad.yaml"),
                "expected a finite number", "got Infinity");
        assertMessage(fails("model:\n  init_std: Infinity\n"), "Invalid model.init_std", "finite");
        assertMessage(fails("model:\n  rope_theta: .inf\n"), "Invalid model.rope_theta", "finite");
        var direct = assertThrows(IllegalArgumentException.class, () -> new io.mohge.config.TrainerConfig(10, 1, 1,
                Double.POSITIVE_INFINITY, 0, 0, 0, 0.9, 0.95, 1e-8, 1, 1, 1, 1, 1, 1));
        assertTrue(direct.getMessage().startsWith("lr: must be a finite number"), direct.getMessage());
        var loss = assertThrows(IllegalArgumentException.class, () -> new io.mohge.losses.LossConfig(
                Double.POSITIVE_INFINITY, 1024, 0.5, 0, 0, 0));
        assertTrue(loss.getMessage().startsWith("group_coef: must be a finite number"), loss.getMessage());
    }

    @Test
    void shardSizeIsBoundedByWhatOneBufferHolds() throws IOException {
        assertMessage(fails(yaml("valid.yaml", "trainer:\n  steps: 50\n"), List.of(), List.of("data.shard_tokens=2000000000")),
                "Invalid data.shard_tokens (from --set): must lie in 1024..268435456", "got 2000000000");
    }

    @Test
    void emptyAndCommentOnlyFilesAreRejectedAlike() throws IOException {
        Path ok = yaml("valid.yaml", "trainer:\n  steps: 50\n");
        for (String text : List.of("", "\n  \n", "# nothing but a comment\n", "---\n# a comment\n")) {
            Path empty = yaml("empty.yaml", text);
            assertMessage(fails(empty, List.of(), List.of()), "Config file " + empty + " is empty",
                    "give at least one section");
            assertMessage(fails(ok, List.of(empty), List.of()), "Config file " + empty + " is empty");
        }
    }

    @Test
    void duplicateKeysAndSectionsNameFileLineAndKey() throws IOException {
        Path file = dir.resolve("bad.yaml");
        assertMessage(fails("trainer:\n  steps: 5\n  lr: 0.1\n  steps: 6\n"),
                "Config file " + file + ", line 4: duplicate key trainer.steps (first on line 2); keep one of them");
        assertMessage(fails("trainer:\n  steps: 5\nmodel:\n  d_model: 64\ntrainer:\n  lr: 0.1\n"),
                "Config file " + file + ", line 5: duplicate section trainer (first on line 1); merge");
        assertMessage(fails("model:\n  mohge:\n    groups: 2\n    groups: 3\n"),
                "line 4: duplicate key model.mohge.groups (first on line 3)");
    }

    @Test
    void setListsAreParsedLikeYamlLists() throws IOException {
        Path base = yaml("three.yaml", "model:\n  mohge:\n    groups: 3\n    group_top_k: 2\n"
                + "allocation:\n  strategy: contiguous\n  ranks: 3\n");
        String widths = "[32,48,48,64]";
        ConfigException fromSet = fails(base, List.of(), List.of("model.mohge.widths=" + widths));
        Path inFile = yaml("widths.yaml", "model:\n  mohge:\n    widths: " + widths + "\n");
        ConfigException fromFile = fails(base, List.of(inFile), List.of());
        assertMessage(fromSet, "Invalid model.mohge.widths (from --set)", "3 values", "[32, 48, 48, 64]");
        assertEquals(fromFile.getMessage().replace(inFile.toString(), "--set"), fromSet.getMessage());
        // with 4 groups the repeated 48 is kept and refused as not strictly growing, from both sources
        ConfigException four = fails(yaml("four.yaml", "trainer:\n  steps: 50\n"), List.of(),
                List.of("model.mohge.widths=" + widths));
        assertMessage(four, "Invalid model.mohge.widths (from --set)", "must grow strictly", "[32, 48, 48, 64]");
        RunConfig ok = ConfigLoader.load(base, List.of(), List.of("model.mohge.widths=[16, 24, 40]",
                "data.corpus=hdfs://nn:8020/x y.txt", "run.name=a", "run.name=b"));
        assertEquals(List.of(16, 24, 40), ok.model().mohge().widths());
        assertEquals("hdfs://nn:8020/x y.txt", ok.data().corpus());
        assertEquals("b", ok.run().name(), "a later --set of the same key wins");
    }
}
