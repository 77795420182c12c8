package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.export.ExportReader;
import io.mohge.export.Exporter;
import io.mohge.tensors.FloatTensor;
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
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end runs of the training loop on a tiny MoHGE model (vocab 256, d 32, 2 layers, seq 16, batch 4). */
class TrainerTest {

    @TempDir
    static Path shared;

    private static Path corpus;

    @BeforeAll
    static void writeCorpus() throws IOException {
        String[] words = {"the", "parliament", "votes", "on", "a", "report", "about", "fish", "and", "energy",
                "policy", "Europe", "members", "debate", "today", "budget"};
        Random r = new Random(11);
        StringBuilder sb = new StringBuilder();
        for (int line = 0; line < 400; line++) {
            int n = 4 + r.nextInt(8);
            for (int w = 0; w < n; w++) sb.append(w == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            sb.append(".\n");
        }
        corpus = shared.resolve("corpus.txt");
        Files.writeString(corpus, sb.toString());
    }

    private static RunConfig config(Path runDir, String... sets) throws IOException {
        Path yaml = runDir.resolveSibling(runDir.getFileName() + ".yaml");
        Files.writeString(yaml, """
                run:
                  name: tiny
                  seed: 7
                  out_dir: %s
                model:
                  vocab_size: 256
                  d_model: 32
                  n_layers: 2
                  n_heads: 2
                  seq_len: 16
                  ffn: mohge
                  mohge:
                    groups: 2
                    experts_per_group: 2
                    widths: [16, 32]
                    group_top_k: 2
                    top_k: 2
                  router:
                    bias_update_rate: 0.001
                losses:
                  group_coef: 0.01
                  group_interval: 16
                  group_start_fraction: 0.5
                  intra_coef: 0.003
                  z_coef: 0.001
                allocation:
                  ranks: 2
                data:
                  corpus: %s
                  dir: %s
                  val_fraction: 0.1
                  shard_tokens: 1024
                trainer:
                  steps: 8
                  batch_size: 4
                  grad_accum: 2
                  lr: 1.0e-2
                  min_lr: 1.0e-3
                  warmup_steps: 2
                  log_every: 2
                  eval_every: 4
                  eval_batches: 2
                  checkpoint_every: 4
                  keep_checkpoints: 2
                export:
                  dtype: f16
                """.formatted(runDir, corpus, shared.resolve("data")));
        return ConfigLoader.load(yaml, List.of(), List.of(sets));
    }

    private static Trainer.Options quiet(boolean resume, long stopAfter) {
        return new Trainer.Options(resume, false, stopAfter);
    }

    @Test
    void resumedRunReproducesTheUninterruptedRunBitForBit() throws IOException {
        Path dirA = shared.resolve("a");
        RunConfig a = config(dirA);
        TrainResult full = Trainer.run(a, quiet(true, 0));
        assertEquals(TrainResult.Stop.COMPLETED, full.stop());
        assertEquals(8, full.losses().size());
        assertTrue(full.losses().get(7) < full.losses().get(0) - 0.3, "training lowers the loss: " + full.losses());

        Path dirB = shared.resolve("b");
        RunConfig b = config(dirB);
        TrainResult first = Trainer.run(b, quiet(true, 4));
        assertEquals(TrainResult.Stop.PAUSED, first.stop());
        assertNull(Exporter.exportFinishedRun(b, first), "a paused run is not exported");
        TrainResult second = Trainer.run(b, quiet(true, 0));
        assertEquals(TrainResult.Stop.COMPLETED, second.stop());
        List<Double> resumed = new ArrayList<>(first.losses());
        resumed.addAll(second.losses());
        assertEquals(full.losses(), resumed, "losses of the resumed run must equal the uninterrupted run exactly");

        Checkpoint ca = CheckpointStore.load(full.lastCheckpoint());
        Checkpoint cb = CheckpointStore.load(second.lastCheckpoint());
        assertEquals(ca.params(), cb.params());            // bitwise
        assertEquals(ca.optimizer(), cb.optimizer());
        assertEquals(ca.routerBiases(), cb.routerBiases());
        assertEquals(ca.dataPosition(), cb.dataPosition());
        float[] bias = ca.routerBiases().get("layers.0.ffn.router.expert_bias").data();
        assertTrue(Arrays.stream(new double[]{bias[0], bias[1], bias[2], bias[3]}).anyMatch(v -> v != 0),
                "router biases were updated and saved");

        // metrics: one row per log interval, no step twice after the resume; plots drawn
        List<Map<String, Double>> rows = MetricsLog.readCsv(dirB.resolve(MetricsLog.CSV));
        assertEquals(List.of(2.0, 4.0, 6.0, 8.0), rows.stream().map(r -> r.get("step")).toList());
        assertTrue(rows.get(1).containsKey("val_loss") && rows.get(3).containsKey("val_loss"));
        double shares = rows.get(3).get("group_share.0") + rows.get(3).get("group_share.1");
        assertEquals(1.0, shares, 1e-9);
        assertTrue(rows.get(3).get("tokens_per_s") > 0 && rows.get(3).get("mfu") > 0);
        assertTrue(rows.get(0).get("group_aux") == 0.0 && rows.get(3).get("group_aux") > 0.0,
                "group-wise loss only in the second half");
        assertTrue(Files.exists(dirB.resolve("plots/losses.png")) && Files.exists(dirB.resolve("plots/group_share.png")));
        assertEquals(List.of("step-000004", "step-000008"), new CheckpointStore(dirB.resolve("checkpoints"), 2).list()
                .stream().map(p -> p.getFileName().toString()).toList());

        // export at the end holds the final parameters (as F16, Hugging Face names, read back to checkpoint names)
        ExportReader.ExportedModel exported = ExportReader.read(Exporter.exportFinishedRun(a, full));
        assertEquals(ca.params().keySet(), exported.params().keySet());
        assertEquals(ca.routerBiases().keySet(), exported.routerBiases().keySet());
        for (String name : List.of("tok_embeddings.weight", "output.weight", "layers.1.attention.wq.weight")) {
            assertArrayEquals(ca.params().get(name).shape(), exported.params().get(name).shape(), name);
            assertArrayEquals(ca.params().get(name).data(), exported.params().get(name).data(), 1e-3f, name);
        }

        // eval of the final checkpoint equals the val loss the loop logged at step 8
        Evaluator.Result ev = Evaluator.evaluate(full.lastCheckpoint(), a.data(), a.trainer());
        assertEquals(full.valLoss(), ev.valLoss(), 1e-6);
        assertEquals(Math.exp(ev.valLoss()), ev.perplexity(), 1e-9);
        assertEquals(rows.get(3).get("val_loss"), ev.valLoss(), 1e-6);
    }

    @Test
    void replacedDataIsReadFromItsBeginningAndResumesExactlyAfterwards() throws IOException {
        Path other = shared.resolve("other-corpus.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("une autre phrase numero ").append(i % 17).append(" pour le test.\n");
        Files.writeString(other, sb.toString());
        String[] onOther = {"data.corpus=" + other, "data.dir=" + shared.resolve("data-other"), "export.on_finish=false"};

        Path dir = shared.resolve("newdata");
        Trainer.run(config(dir, "export.on_finish=false"), quiet(true, 4));
        RunConfig switched = config(dir, onOther);
        var refused = assertThrows(BadInputException.class, () -> Trainer.run(switched, quiet(true, 0)));
        assertTrue(refused.getMessage().startsWith("fingerprint:"), refused.getMessage());

        TrainResult whole = Trainer.run(switched, new Trainer.Options(true, false, 0, 4));
        assertEquals(4, whole.losses().size());
        io.mohge.data.DataPosition pos = new com.google.gson.Gson().fromJson(
                CheckpointStore.load(whole.lastCheckpoint()).dataPosition(), io.mohge.data.DataPosition.class);
        assertEquals(0, pos.epoch());
        assertEquals(4 * 4 * 2, pos.cursor(), "steps 5..8 read the new data from its first window on");

        // the same switch, interrupted at step 6 after the switch, resumes bit for bit
        Path dir2 = shared.resolve("newdata2");
        Trainer.run(config(dir2, "export.on_finish=false"), quiet(true, 4));
        RunConfig switched2 = config(dir2, onOther);
        TrainResult first = Trainer.run(switched2, new Trainer.Options(true, false, 6, 4));
        TrainResult rest = Trainer.run(switched2, new Trainer.Options(true, false, 0, 4));
        List<Double> resumed = new ArrayList<>(first.losses());
        resumed.addAll(rest.losses());
        assertEquals(whole.losses(), resumed);
        assertEquals(CheckpointStore.load(whole.lastCheckpoint()).params(),
                CheckpointStore.load(rest.lastCheckpoint()).params());
    }

    @Test
    void gradientAccumulationAveragesMicroBatches() throws IOException {
        // 2 micro-batches of 2 sequences see the same windows as one batch of 4. Without auxiliary losses
        // (which are not linear in the batch) the averaged gradients equal the full-batch gradient up to
        // float rounding, so the runs agree closely.
        String[] noAux = {"losses.group_coef=0", "losses.intra_coef=0", "losses.z_coef=0", "trainer.steps=4",
                "trainer.eval_every=4", "trainer.checkpoint_every=4", "export.on_finish=false"};
        List<String> one = new ArrayList<>(List.of(noAux));
        one.addAll(List.of("trainer.batch_size=4", "trainer.grad_accum=1"));
        List<String> two = new ArrayList<>(List.of(noAux));
        two.addAll(List.of("trainer.batch_size=2", "trainer.grad_accum=2"));
        TrainResult full = Trainer.run(config(shared.resolve("accum1"), one.toArray(String[]::new)), quiet(false, 0));
        TrainResult accum = Trainer.run(config(shared.resolve("accum2"), two.toArray(String[]::new)), quiet(false, 0));
        assertEquals(4, accum.losses().size());
        for (int i = 0; i < 4; i++) {
            assertEquals(full.losses().get(i), accum.losses().get(i), 1e-4, "step " + (i + 1));
        }
        // Adam is scale-invariant, so the gradient scale shows only in the logged pre-clip norm
        List<Map<String, Double>> rowsOne = MetricsLog.readCsv(shared.resolve("accum1").resolve(MetricsLog.CSV));
        List<Map<String, Double>> rowsTwo = MetricsLog.readCsv(shared.resolve("accum2").resolve(MetricsLog.CSV));
        for (int i = 0; i < rowsOne.size(); i++) {
            assertEquals(rowsOne.get(i).get("grad_norm"), rowsTwo.get(i).get("grad_norm"), 1e-3);
        }
    }

    @Test
    void denseAndMoeBaselinesTrainWithTheirOwnColumns() throws IOException {
        for (String ffn : List.of("dense", "moe")) {
            Path dir = shared.resolve("ffn-" + ffn);
            TrainResult r = Trainer.run(config(dir, "model.ffn=" + ffn, "model.dense.width=64", "model.moe.width=16",
                    "model.moe.experts=4", "trainer.steps=4", "trainer.eval_every=4", "export.on_finish=false"),
                    quiet(false, 0));
            assertEquals(TrainResult.Stop.COMPLETED, r.stop(), ffn);
            assertTrue(r.losses().stream().allMatch(Double::isFinite), ffn);
            List<String> header = List.of(Files.readAllLines(dir.resolve(MetricsLog.CSV)).get(0).split(","));
            assertTrue(header.stream().noneMatch(c -> c.startsWith(Plots.GROUP_SHARE_PREFIX)), ffn + ": " + header);
            assertEquals(ffn.equals("moe"), header.contains("imbalance"), ffn + ": " + header);
            assertEquals(ffn.equals("moe"), Files.exists(dir.resolve("placement.json")), ffn);
        }
    }

    @Test
    void nonFiniteLossStopsAndKeepsTheLastCheckpoint() throws IOException {
        Path dir = shared.resolve("nan");
        RunConfig cfg = config(dir);
        TrainResult paused = Trainer.run(cfg, quiet(true, 4));
        CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 2);
        Checkpoint good = CheckpointStore.load(paused.lastCheckpoint());
        Map<String, FloatTensor> poisoned = new TreeMap<>(good.params());
        FloatTensor w = poisoned.get("output.weight");
        float[] data = w.data().clone();
        data[3] = Float.NaN;
        poisoned.put("output.weight", new FloatTensor(w.shape(), data));
        store.save(new Checkpoint(good.step(), poisoned, good.optimizer(), good.routerBiases(), good.rngSeed(),
                good.rngState(), good.dataPosition(), good.configYaml(), good.placementJson()));

        TrainResult r = Trainer.run(cfg, quiet(true, 0));
        assertEquals(TrainResult.Stop.NON_FINITE, r.stop());
        assertEquals(4, r.step());
        assertTrue(r.losses().isEmpty());
        assertTrue(r.message().contains("step 5") && r.message().contains("step-000004"), r.message());
        assertEquals(List.of("step-000004"), store.list().stream().map(p -> p.getFileName().toString()).toList());
        assertNull(Exporter.exportFinishedRun(cfg, r), "a run stopped by a non-finite loss is not exported");
    }

    @Test
    void freshRunRefusesADirectoryWithCheckpoints() throws IOException {
        Path dir = shared.resolve("fresh");
        RunConfig cfg = config(dir);
        TrainResult r = Trainer.run(cfg, new Trainer.Options(true, true, 2)); // with the console progress bar
        assertEquals(TrainResult.Stop.PAUSED, r.stop());
        assertEquals(dir.resolve("checkpoints").resolve("step-000002"), Trainer.latestCheckpoint(cfg).orElseThrow());
        var e = assertThrows(BadInputException.class, () -> Trainer.run(cfg, quiet(false, 0)));
        assertTrue(e.getMessage().startsWith("run.out_dir:") && e.getMessage().contains("step-000002"), e.getMessage());
    }
}
