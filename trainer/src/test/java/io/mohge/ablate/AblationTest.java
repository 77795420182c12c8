package io.mohge.ablate;

import io.mohge.config.BadInputException;
import io.mohge.train.LocalGradients;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AblationTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void shippedSetIsValid() {
        AblationSet set = AblationSet.read(Path.of("..", "configs", "ablations", "tiny.yaml"));
        assertEquals(List.of("dense", "moe", "mohge", "mohge-no-group-loss", "mohge-contiguous"),
                set.runs().stream().map(AblationSet.Run::name).toList());
        // paths in the shipped set are relative to the repository root, where the launcher runs
        assertEquals(Path.of("configs/mohge-tiny.yaml"), set.base());
        assertTrue(set.setArguments(set.jobs().get(3)).contains("losses.group_coef=0.0"));
    }

    @Test
    void badSetsNameFileAndEntry() throws IOException {
        BadInputException e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("a.yaml", "base: x.yaml\nout_dir: o\nruns:\n  - name: a\n    sets: {}\n")));
        assertTrue(e.getMessage().contains("a.yaml: unknown key 'sets' at runs[0]; allowed: name, overrides, set"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("b.yaml", "base: x.yaml\nout_dir: o\nruns:\n  - name: a\n  - name: a\n")));
        assertTrue(e.getMessage().contains("run name 'a' appears twice"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("c.yaml", "base: x.yaml\nout_dir: o\nruns: []\n")));
        assertTrue(e.getMessage().contains("runs must be a non-empty list"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> AblationSet.read(dir.resolve("none.yaml")));
        assertTrue(e.getMessage().contains("none.yaml not found"), e.getMessage());
    }

    @Test
    void aBadRunConfigIsRejectedBeforeAnythingTrains() throws IOException {
        Path set = write("s.yaml", "base: ../configs/mohge-tiny.yaml\nout_dir: " + dir.resolve("out") + "\n"
                + "runs:\n  - name: ok\n  - name: broken\n    set: {model.moe.top_k: 99, model.ffn: moe}\n");
        BadInputException e = assertThrows(BadInputException.class,
                () -> AblationRunner.resolve(AblationSet.read(set)));
        assertTrue(e.getMessage().contains("run 'broken'") && e.getMessage().contains("model.moe.top_k"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("out")), "nothing may run when one config is bad");
    }

    @Test
    void runsASetAndWritesTableAndPlots() throws IOException {
        Path out = dir.resolve("ablation");
        Path set = tinySet(out, true);
        List<AblationResult> rows = AblationRunner.run(AblationSet.read(set), AblationRunner.Part.ALL, LocalGradients::new, false);
        assertEquals(3, rows.size());
        String table = Files.readString(out.resolve(AblationRunner.RESULTS));
        // routed experts: moe 8 x 32 = 256 width units per 3*D, mohge 2 x (16+24+32+40) = 224 -> 12.5% fewer
        assertTrue(table.contains("| mohge | mohge |") && table.contains("| 12.5% |"), table);
        assertTrue(table.contains("| dense | dense |"), table);
        for (AblationResult r : rows) assertTrue(Double.isFinite(r.valLoss()), r.toString());
        assertTrue(Files.size(out.resolve("val_loss.png")) > 0 && Files.size(out.resolve("train_loss.png")) > 0);
        assertTrue(Files.exists(out.resolve("mohge/metrics.csv")));
        // the routing table: routed runs only, switch rates and cache loads at a quarter and a half of 8 experts
        assertTrue(table.contains("## Switching and expert cache") && table.contains("expert loads/token, M=2 |")
                && table.contains("expert loads/token, M=4 |"), table);
        String routing = table.substring(table.indexOf("## Switching"));
        assertTrue(routing.contains("| mohge | ") && routing.contains("| moe | ") && !routing.contains("| dense | "), routing);
        assertTrue(rows.get(2).routing().get("val_loads_per_token.2") > 0, rows.get(2).routing().toString());

        // a second invocation skips the finished runs instead of training or failing, even when a finished run's
        // metrics were written by an older build with other columns (which a resume would refuse)
        Path metrics = out.resolve("mohge/metrics.csv");
        dropColumn(metrics, "rss_gb");
        List<AblationResult> again = AblationRunner.run(AblationSet.read(set), AblationRunner.Part.ALL, LocalGradients::new, false);
        assertEquals(rows.get(2).valLoss(), again.get(2).valLoss());
        assertTrue(!Files.readString(metrics).contains("rss_gb"), "a finished run's metrics must not be touched");
    }

    private static void dropColumn(Path csv, String column) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        int index = List.of(lines.get(0).split(",")).indexOf(column);
        assertTrue(index >= 0, column + " not in " + lines.get(0));
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
            cells.remove(index);
            kept.add(String.join(",", cells));
        }
        Files.write(csv, kept);
    }
    @Test
    void seedsRunEveryConfigOncePerSeedAndTheTableReportsSpread() throws IOException {
        Path out = dir.resolve("seeded");
        Path file = tinySet(out, false, "", "seeds: [3, 4]", "reference: moe");
        AblationSet set = AblationSet.read(file);
        assertEquals(List.of(3L, 4L), set.seeds());
        assertEquals(4, set.jobs().size());
        assertEquals(out.resolve("mohge").resolve("seed-4"), set.jobs().get(3).dir());

        // two processes share the set; the first part alone writes no table
        assertEquals(List.of(), AblationRunner.run(set, new AblationRunner.Part(1, 2), LocalGradients::new, false));
        assertTrue(Files.exists(out.resolve("moe/seed-3/metrics.csv")) && !Files.exists(out.resolve("moe/seed-4")));
        assertTrue(!Files.exists(out.resolve(AblationRunner.RESULTS)));
        List<AblationResult> rows = AblationRunner.run(set, new AblationRunner.Part(2, 2), LocalGradients::new, false);
        assertEquals(4, rows.size());
        assertEquals(3L, rows.get(0).seed());
        assertTrue(rows.get(2).valLoss() != rows.get(3).valLoss(), "different seeds must give different runs");
        assertEquals(4, rows.get(2).groupShares().length);
        assertEquals(1.0, java.util.Arrays.stream(rows.get(2).groupShares()).sum(), 1e-6);

        String table = Files.readString(out.resolve(AblationRunner.RESULTS));
        assertTrue(table.contains("| moe | moe | 2 |") && table.contains("| ref |"), table);
        assertTrue(table.matches("(?s).*\\| mohge \\| mohge \\| 2 \\|.*\\d ± \\d.*"), table);
        assertEquals(5, Files.readAllLines(out.resolve(AblationRunner.RESULTS_CSV)).size());

        // --report rebuilds the same table from the metrics alone
        Files.delete(out.resolve(AblationRunner.RESULTS));
        List<AblationResult> again = AblationRunner.report(set);
        assertEquals(rows.get(3).valLoss(), again.get(3).valLoss());
        assertEquals(table, Files.readString(out.resolve(AblationRunner.RESULTS)));
    }

    @Test
    void reportRefusesJobsThatHaveNotRun() throws IOException {
        AblationSet set = AblationSet.read(tinySet(dir.resolve("untrained"), false));
        BadInputException e = assertThrows(BadInputException.class, () -> AblationRunner.report(set));
        assertTrue(e.getMessage().contains("ablation job moe has no metrics") && e.getMessage().contains("mohge ablate"),
                e.getMessage());
    }

    @Test
    void differencesWithinTwoStandardErrorsAreMarkedAsNoise() {
        AblationTable.Stat ref = AblationTable.Stat.of(rows(1.0, 1.0), AblationResult::valLoss);
        AblationTable.Stat near = AblationTable.Stat.of(rows(1.0, 1.2), AblationResult::valLoss);
        AblationTable.Stat far = AblationTable.Stat.of(rows(2.0, 2.2), AblationResult::valLoss);
        assertEquals(1.1, near.mean(), 1e-12);
        assertEquals(Math.sqrt(0.02), near.sd(), 1e-12);
        // d = 0.1, se = sqrt(0.1^2 + 0) = 0.1 < 2 se
        assertEquals("+0.1000 ± 0.1000 (within noise)", AblationTable.difference(near, ref, "%.4f"));
        // d = 2.1 - 1.1 = 1.0 against se = sqrt(0.1^2 + 0.1^2) = 0.1414
        assertEquals("+1.0000 ± 0.1414", AblationTable.difference(far, near, "%.4f"));
        AblationTable.Stat one = AblationTable.Stat.of(rows(1.5), AblationResult::valLoss);
        assertTrue(AblationTable.difference(one, ref, "%.4f").contains("no error estimate"));
        assertEquals("1.1000 ± 0.1414", near.format("%.4f"));
    }

    private static List<AblationResult> rows(double... losses) {
        return java.util.Arrays.stream(losses).mapToObj(l -> new AblationResult("r", 1L, io.mohge.model.ModelConfig.FfnType.MOE,
                "contiguous", 1, 1, 1, l, 1, new double[0], 1, 1, java.util.Map.of(), 1, 1)).toList();
    }

    @Test
    void badSeedsAndReferenceAreRefused() throws IOException {
        BadInputException e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("s1.yaml", "base: x.yaml\nout_dir: o\nseeds: [1, 1]\nruns:\n  - name: a\n")));
        assertTrue(e.getMessage().contains("seed 1 appears twice"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("s2.yaml", "base: x.yaml\nout_dir: o\nseeds: [one]\nruns:\n  - name: a\n")));
        assertTrue(e.getMessage().contains("seeds entry 'one' is not a whole number"), e.getMessage());
        e = assertThrows(BadInputException.class,
                () -> AblationSet.read(write("s3.yaml", "base: x.yaml\nout_dir: o\nreference: b\nruns:\n  - name: a\n")));
        assertTrue(e.getMessage().contains("reference 'b' is not a run name; runs: a"), e.getMessage());
    }


    @Test
    void shippedSwitchingSetConvertsItsBaseRun() {
        AblationSet set = AblationSet.read(Path.of("..", "configs", "ablations", "switching.yaml"));
        assertEquals("base", set.runs().get(0).name());
        Path baseCheckpoint = set.outDir().resolve("base/checkpoints/step-000400");
        for (AblationSet.Job job : set.jobs().subList(1, set.jobs().size())) {
            assertTrue(set.setArguments(job).contains("trainer.init_from=" + baseCheckpoint), job.toString());
        }
    }

    @Test
    void aConversionRunStartsFromAnEarlierRunOfTheSet() throws IOException {
        Path out = dir.resolve("conversion");
        Path set = tinySet(out, false, String.join("\n",
                "  - name: converted",
                "    set:",
                "      model.temporal.controller: true",
                "      model.temporal.deliberation_cost: 0.5",
                "      trainer.init_from: " + out.resolve("mohge/checkpoints/step-000003"),
                "      trainer.trainable: [controller]",
                "      losses.distill_coef: 1.0",
                ""));
        List<AblationResult> rows = AblationRunner.run(AblationSet.read(set), AblationRunner.Part.ALL, LocalGradients::new, false);
        assertEquals(3, rows.size());
        assertTrue(rows.get(2).routing().containsKey("val_decision_rate"), rows.get(2).routing().toString());
        String routing = Files.readString(out.resolve(AblationRunner.RESULTS));
        routing = routing.substring(routing.indexOf("## Switching"));
        assertTrue(routing.matches("(?s).*\\| converted \\| [0-9.]+ (\\| [0-9.]+ \\| [0-9.]+ / [0-9.]+ ){2}\\| [0-9.]+ \\|.*"),
                routing);
        assertTrue(routing.matches("(?s).*\\| mohge \\| [0-9.]+ (\\| [0-9.]+ \\| [0-9.]+ / [0-9.]+ ){2}\\| - \\|.*"),
                routing);
    }

    private Path tinySet(Path out, boolean withDense) throws IOException {
        return tinySet(out, withDense, "");
    }

    /** A set of dense (optional), moe, mohge and {@code moreRuns}, with extra top-level lines {@code top}. */
    private Path tinySet(Path out, boolean withDense, String moreRuns, String... top) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) text.append("group ").append(i % 5).append(" expert ").append(i % 7).append(" token ").append(i).append('\n');
        Path corpus = dir.resolve("corpus.txt");
        if (!Files.exists(corpus)) Files.writeString(corpus, text);
        return write(out.getFileName() + ".yaml", String.join("\n",
                "base: ../configs/mohge-tiny.yaml",
                "out_dir: " + out,
                String.join("\n", top),
                "set:",
                "  data.corpus: " + corpus,
                "  data.dir: " + dir.resolve("shards"),
                "  model.d_model: 32",
                "  model.seq_len: 16",
                "  model.mohge.widths: [16, 24, 32, 40]",
                "  model.moe.width: 32",
                "  model.dense.width: 64",
                "  trainer.batch_size: 4",
                "  trainer.steps: 3",
                "  trainer.warmup_steps: 1",
                "  trainer.log_every: 1",
                "  trainer.eval_every: 3",
                "  trainer.eval_batches: 1",
                "  export.on_finish: false",
                "runs:",
                withDense ? "  - name: dense\n    overrides: [../configs/ffn/dense.yaml]" : "",
                "  - name: moe",
                "    overrides: [../configs/ffn/moe.yaml]",
                "  - name: mohge",
                moreRuns));
    }
}
