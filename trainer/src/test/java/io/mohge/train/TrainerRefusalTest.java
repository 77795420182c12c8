package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A refused run changes no file of the run; a resume survives a corrupt newest checkpoint and a torn metrics row.
 * Tiny MoHGE model (d 32, 2 layers, seq 16, batch 4), 4 steps.
 */
class TrainerRefusalTest {

    @TempDir
    static Path shared;

    @BeforeAll
    static void corpus() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 300; i++) sb.append("members debate report ").append(i % 23).append(" on fish and energy.\n");
        Files.writeString(shared.resolve("corpus.txt"), sb);
    }

    private static RunConfig config(Path runDir, String... sets) throws IOException {
        Path yaml = shared.resolve("base.yaml");
        Files.writeString(yaml, """
                run: {name: tiny, seed: 3, out_dir: %s}
                model:
                  d_model: 32
                  n_heads: 2
                  seq_len: 16
                  mohge: {groups: 2, experts_per_group: 2, widths: [16, 32], group_top_k: 2, top_k: 2}
                allocation: {ranks: 2}
                data: {corpus: %s, dir: %s, val_fraction: 0.1, shard_tokens: 1024}
                trainer: {steps: 4, batch_size: 4, warmup_steps: 1, log_every: 1, eval_every: 2, eval_batches: 1,
                          checkpoint_every: 1, keep_checkpoints: 3}
                export: {on_finish: false}
                """.formatted(runDir, shared.resolve("corpus.txt"), shared.resolve("data")));
        return ConfigLoader.load(yaml, List.of(), List.of(sets));
    }

    private static Trainer.Options quiet(boolean resume, long stopAfter) {
        return new Trainer.Options(resume, false, stopAfter);
    }

    private static Map<String, byte[]> runFiles(Path dir) throws IOException {
        Function<String, byte[]> read = name -> {
            try {
                return Files.readAllBytes(dir.resolve(name));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        };
        return Map.of("config.resolved.yaml", read.apply("config.resolved.yaml"),
                "placement.json", read.apply("placement.json"), "metrics.csv", read.apply("metrics.csv"));
    }

    private static void assertUnchanged(Map<String, byte[]> before, Path dir) throws IOException {
        Map<String, byte[]> after = runFiles(dir);
        for (String f : before.keySet()) assertArrayEquals(before.get(f), after.get(f), f + " was changed");
    }

    @Test
    void refusedTrainsWriteNothing() throws IOException {
        Path dir = shared.resolve("refused");
        assertEquals(TrainResult.Stop.PAUSED, Trainer.run(config(dir), quiet(false, 2)).stop());
        Map<String, byte[]> before = runFiles(dir);

        var fresh = assertThrows(BadInputException.class, () -> Trainer.run(
                config(dir, "allocation.strategy=contiguous", "trainer.lr=0.01"), quiet(false, 0)));
        assertTrue(fresh.getMessage().startsWith("run.out_dir:") && fresh.getMessage().contains("--resume"),
                fresh.getMessage());
        assertUnchanged(before, dir);

        var model = assertThrows(BadInputException.class, () -> Trainer.run(
                config(dir, "model.init_std=0.05", "allocation.strategy=greedy"), quiet(true, 0)));
        assertTrue(model.getMessage().startsWith("model: checkpoint") && model.getMessage().contains("different model"),
                model.getMessage());
        assertUnchanged(before, dir);

        var grid = assertThrows(BadInputException.class, () -> Trainer.run(
                config(dir, "trainer.log_every=2"), quiet(true, 0)));
        assertTrue(grid.getMessage().startsWith("trainer.log_every: checkpoint") && grid.getMessage().contains(
                "logged every 1 steps, not 2") && grid.getMessage().contains("--set trainer.log_every=1"),
                grid.getMessage());
        assertUnchanged(before, dir);

        var batch = assertThrows(BadInputException.class, () -> Trainer.run(
                config(shared.resolve("big-batch"), "trainer.batch_size=500"), quiet(false, 0)));
        assertTrue(batch.getMessage().startsWith("trainer.batch_size: a validation batch of 500 sequences"),
                batch.getMessage());
        assertFalse(Files.exists(shared.resolve("big-batch")), "a refused run creates no run directory");

        var huge = assertThrows(BadInputException.class, () -> Trainer.run(
                config(shared.resolve("huge"), "model.n_layers=100000"), quiet(false, 0)));
        assertTrue(huge.getMessage().startsWith("model: training this config needs at least"), huge.getMessage());
        assertFalse(Files.exists(shared.resolve("huge")));
    }

    @Test
    void resumeFallsBackPastACorruptCheckpointAndATornMetricsRow() throws IOException {
        Path full = shared.resolve("full");
        TrainResult uninterrupted = Trainer.run(config(full), quiet(false, 0));
        Path dir = shared.resolve("crashed");
        assertEquals(TrainResult.Stop.PAUSED, Trainer.run(config(dir), quiet(false, 3)).stop());
        Path newest = dir.resolve("checkpoints").resolve("step-000003");
        try (RandomAccessFile f = new RandomAccessFile(newest.resolve("params.safetensors").toFile(), "rw")) {
            f.seek(f.length() - 2);
            f.write(f.read() ^ 0x40);
        }
        Files.writeString(dir.resolve("metrics.csv"), "4,2.71", StandardOpenOption.APPEND); // a row torn by the crash

        TrainResult resumed = Trainer.run(config(dir), quiet(true, 0));
        assertEquals(TrainResult.Stop.COMPLETED, resumed.stop());
        assertEquals(uninterrupted.losses().subList(2, 4), resumed.losses(), "steps 3 and 4 again, from step 2");
        assertTrue(Files.isDirectory(dir.resolve("checkpoints").resolve("step-000003.corrupt")),
                "the corrupt checkpoint is kept aside");
        assertEquals(dir.resolve("checkpoints").resolve("step-000004"), Trainer.latestCheckpoint(config(dir)).orElseThrow());
        List<Map<String, Double>> want = MetricsLog.readCsv(full.resolve("metrics.csv"));
        List<Map<String, Double>> got = MetricsLog.readCsv(dir.resolve("metrics.csv"));
        assertEquals(want.stream().map(r -> List.of(r.get("step"), r.get("loss"))).toList(),
                got.stream().map(r -> List.of(r.get("step"), r.get("loss"))).toList());
        assertEquals(4, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
    }
}
