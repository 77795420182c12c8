package io.mohge.train;

import io.mohge.config.ExportConfig;
import io.mohge.config.ConfigException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.export.Exporter;
import io.mohge.tensors.FloatTensor;
import io.mohge.model.ParamNames;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversion of a trained checkpoint to temporally extended routing (trainer.init_from, trainer.trainable, switch
 * controllers, self-distillation) on a tiny MoHGE model: frozen groups stay bit for bit, a paused conversion resumes
 * exactly, and the switch and cache metrics are logged.
 */
class ConversionTest {

    @TempDir
    static Path shared;

    private static Path base;          // the trained checkpoint the conversions start from

    @BeforeAll
    static void trainBase() throws IOException {
        String[] words = {"the", "parliament", "votes", "on", "a", "report", "about", "fish", "and", "energy"};
        Random r = new Random(5);
        StringBuilder sb = new StringBuilder();
        for (int line = 0; line < 300; line++) {
            int n = 4 + r.nextInt(8);
            for (int w = 0; w < n; w++) sb.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            sb.append(".\n");
        }
        Files.writeString(shared.resolve("corpus.txt"), sb.toString());
        TrainResult result = Trainer.run(config(shared.resolve("base")), new Trainer.Options(false, false, 0));
        assertEquals(TrainResult.Stop.COMPLETED, result.stop());
        base = result.lastCheckpoint();
    }

    private static RunConfig config(Path runDir, String... sets) throws IOException {
        Path yaml = runDir.resolveSibling(runDir.getFileName() + ".yaml");
        Files.writeString(yaml, """
                run: {name: tiny, seed: 3, out_dir: %s}
                model:
                  vocab_size: 256
                  d_model: 32
                  n_layers: 2
                  n_heads: 2
                  seq_len: 16
                  ffn: mohge
                  mohge: {groups: 2, experts_per_group: 2, widths: [16, 32], group_top_k: 2, top_k: 2}
                  router: {bias_update_rate: 0.001}
                losses: {group_coef: 0.01, group_interval: 16, intra_coef: 0.003}
                allocation: {ranks: 2}
                data: {corpus: %s, dir: %s, val_fraction: 0.1, shard_tokens: 1024}
                trainer: {steps: 8, batch_size: 4, lr: 1.0e-2, min_lr: 1.0e-3, warmup_steps: 2, log_every: 2,
                          eval_every: 4, eval_batches: 2, checkpoint_every: 4, keep_checkpoints: 2}
                export: {on_finish: false}
                """.formatted(runDir, shared.resolve("corpus.txt"), shared.resolve("data")));
        return ConfigLoader.load(yaml, List.of(), List.of(sets));
    }

    private static String[] conversion(String trainable, String... more) {
        List<String> sets = new ArrayList<>(List.of("trainer.init_from=" + base, "model.temporal.controller=true",
                "model.temporal.deliberation_cost=0.05", "model.temporal.init_switch_prob=0.6",
                "losses.lm_coef=0", "losses.distill_coef=1", "trainer.trainable=" + trainable));
        sets.addAll(List.of(more));
        return sets.toArray(String[]::new);
    }

    @Test
    void controllerOnlyConversionFreezesTheModelAndResumesBitForBit() throws IOException {
        Checkpoint original = CheckpointStore.load(base);
        RunConfig a = config(shared.resolve("convert-a"), conversion("[controller]"));
        TrainResult full = Trainer.run(a, new Trainer.Options(false, false, 0));
        assertEquals(TrainResult.Stop.COMPLETED, full.stop());

        RunConfig b = config(shared.resolve("convert-b"), conversion("[controller]"));
        TrainResult first = Trainer.run(b, new Trainer.Options(false, false, 4));
        TrainResult second = Trainer.run(b, new Trainer.Options(true, false, 0));
        List<Double> resumed = new ArrayList<>(first.losses());
        resumed.addAll(second.losses());
        assertEquals(full.losses(), resumed, "a resumed conversion reproduces the uninterrupted one exactly");

        Checkpoint converted = CheckpointStore.load(full.lastCheckpoint());
        assertEquals(converted.params(), CheckpointStore.load(second.lastCheckpoint()).params());
        for (Map.Entry<String, FloatTensor> e : original.params().entrySet()) {
            assertEquals(e.getValue(), converted.params().get(e.getKey()), "frozen " + e.getKey() + " is unchanged");
        }
        assertEquals(original.routerBiases(), converted.routerBiases(), "frozen routers keep their balancing biases");
        float[] bias = converted.params().get(ParamNames.controllerBias(0)).data();
        assertTrue(Math.abs(bias[0] - Math.log(0.6 / 0.4)) > 1e-4, "the controller trained: bias " + bias[0]);

        List<Map<String, Double>> rows = MetricsLog.readCsv(shared.resolve("convert-a").resolve(MetricsLog.CSV));
        Map<String, Double> last = rows.get(rows.size() - 1);
        for (String column : List.of("delib_cost", "distill_kl", "decision_rate", "switch_rate.1", "set_switch_rate.0",
                "val_switch_rate", "val_set_switch_rate.1", "val_decision_rate", "val_loads_per_token.1",
                "val_bytes_per_token.2")) {
            assertTrue(last.containsKey(column) && Double.isFinite(last.get(column)), column + " in " + last.keySet());
        }
        assertEquals(last.get("loss"), last.get("distill_kl") + last.get("delib_cost") + last.get("group_aux")
                + last.get("intra_aux"), 1e-4, "lm_coef 0: the loss is the distillation, costs and balance terms");
        assertTrue(last.get("decision_rate") > 0 && last.get("decision_rate") < 1, "sampled decisions mix");
        assertTrue(last.get("val_loads_per_token.1") >= last.get("val_loads_per_token.2"),
                "a larger cache loads less often");
    }

    @Test
    void jointConversionTrainsRoutersAndControllersOnly() throws IOException {
        Checkpoint original = CheckpointStore.load(base);
        TrainResult r = Trainer.run(config(shared.resolve("joint"), conversion("[controller,routers]",
                "losses.lm_coef=0.5")), new Trainer.Options(false, false, 0));
        Checkpoint converted = CheckpointStore.load(r.lastCheckpoint());
        for (String name : original.params().keySet()) {
            boolean router = name.contains(".router.");
            boolean same = Arrays.equals(original.params().get(name).data(), converted.params().get(name).data());
            assertEquals(!router, same, name + (router ? " trains" : " stays frozen"));
        }
        assertFalse(original.routerBiases().equals(converted.routerBiases()), "trained routers keep balancing");
    }

    @Test
    void badConversionsAreRefusedByKey() throws IOException {
        Path dir = shared.resolve("bad");
        ConfigException noTeacher = assertThrows(ConfigException.class,
                () -> config(dir, "losses.distill_coef=1"));
        assertTrue(noTeacher.getMessage().contains("losses.distill_coef") && noTeacher.getMessage().contains("init_from"),
                noTeacher.getMessage());
        ConfigException noController = assertThrows(ConfigException.class,
                () -> config(dir, "trainer.trainable=[controller]"));
        assertTrue(noController.getMessage().contains("trainer.trainable"), noController.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> config(dir, "trainer.trainable=[experts]"));
        assertTrue(unknown.getMessage().contains("trainer.trainable") && unknown.getMessage().contains("ffn"),
                unknown.getMessage());
        ConfigException export = assertThrows(ConfigException.class,
                () -> config(dir, "model.temporal.controller=true", "export.on_finish=true"));
        assertTrue(export.getMessage().contains("export.on_finish"), export.getMessage());
        ConfigException rate = assertThrows(ConfigException.class, () -> config(dir, "trainer.controller_lr=0.05"));
        assertTrue(rate.getMessage().contains("trainer.controller_lr") && rate.getMessage().contains("controller is false"),
                rate.getMessage());
        rate = assertThrows(ConfigException.class, () -> config(dir, conversion("[routers]", "trainer.controller_lr=0.05")));
        assertTrue(rate.getMessage().contains("trainer.controller_lr") && rate.getMessage().contains("freezes them"),
                rate.getMessage());
        ConfigException cost = assertThrows(ConfigException.class, () -> config(dir, "model.temporal.deliberation_cost=0.1"));
        assertTrue(cost.getMessage().contains("model.temporal.deliberation_cost"), cost.getMessage());

        RunConfig otherModel = config(dir, conversion("[controller]", "model.d_model=64"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(otherModel, new Trainer.Options(false, false, 0)));
        assertTrue(e.getMessage().startsWith("trainer.init_from") && e.getMessage().contains("model.temporal"),
                e.getMessage());
        RunConfig missing = config(dir, conversion("[controller]", "trainer.init_from=" + shared.resolve("nothing")));
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.run(missing, new Trainer.Options(false, false, 0)));
        assertTrue(e.getMessage().startsWith("trainer.init_from"), e.getMessage());
        assertFalse(Files.exists(dir), "a refused run writes nothing");

        Path converted = shared.resolve("convert-export");
        TrainResult r = Trainer.run(config(converted, conversion("[controller]", "trainer.steps=2",
                "trainer.warmup_steps=1")), new Trainer.Options(false, false, 0));
        e = assertThrows(IllegalArgumentException.class, () -> Exporter.export(r.lastCheckpoint(),
                shared.resolve("export"), io.mohge.config.ExportConfig.DEFAULTS));
        assertTrue(e.getMessage().startsWith("model.temporal.controller"), e.getMessage());
    }

    @Test
    void evaluationReportsSwitchRatesAndCacheLoadsOfTheBaseModel() throws IOException {
        int[] sizes = {1, 2, 4};
        RunConfig eval = config(shared.resolve("eval"));
        Evaluator.Result r = Evaluator.evaluate(base, eval.data(), eval.trainer(), sizes);
        RunConfig trained = ConfigLoader.load(base.resolve(CheckpointStore.CONFIG));
        assertEquals(Evaluator.routingColumns(trained.model(), sizes), new ArrayList<>(r.routing().keySet()));
        assertFalse(r.routing().containsKey("val_decision_rate"), "no controller, no decisions");
        assertTrue(r.routing().get("val_switch_rate") > 0, r.routing().toString());
        // 2 layers, K = 2 of 4 experts: one resident expert misses at least once per token and layer; all four
        // resident load each expert once per layer
        double one = r.routing().get("val_loads_per_token.1");
        double two = r.routing().get("val_loads_per_token.2");
        double all = r.routing().get("val_loads_per_token.4");
        assertTrue(one >= 2 - 1e-9 && one >= two && two >= all, one + " >= " + two + " >= " + all);
        assertTrue(all <= 8.0 / r.tokens(), "every expert loads once: " + all);
        assertEquals(r.routing().get("val_bytes_per_token.4") > 0, all > 0);
    }
}
