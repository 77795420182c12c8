package io.mohge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI path of a user: train a tiny model, pause, resume, evaluate and export it. */
class TrainEvalExportCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(List<String> args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    }

    private static List<String> args(String command, Path dir, String... extra) {
        List<String> a = new ArrayList<>(List.of(command, "--config", "../configs/mohge-tiny.yaml",
                "--set", "data.corpus=" + dir.resolve("corpus.txt"), "--set", "data.dir=" + dir.resolve("shards"),
                "--set", "run.out_dir=" + dir.resolve("run"), "--set", "model.d_model=32", "--set", "model.seq_len=16",
                "--set", "model.mohge.widths=[16,24,32,40]", "--set", "trainer.batch_size=4",
                "--set", "trainer.steps=6", "--set", "trainer.warmup_steps=1", "--set", "trainer.eval_every=3",
                "--set", "trainer.eval_batches=2", "--set", "trainer.checkpoint_every=3", "--set", "trainer.log_every=1"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void trainPauseResumeEvalExport(@TempDir Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) text.append("the expert ").append(i % 17).append(" routes token ").append(i).append('\n');
        Files.writeString(dir.resolve("corpus.txt"), text);

        assertEquals(0, run(args("train", dir, "--stop-after", "3", "--no-progress")), err.toString());
        assertTrue(out.toString().contains("PAUSED at step 3 of 6"), out.toString());

        assertEquals(Main.EXIT_BAD_INPUT, run(args("train", dir, "--no-progress")));
        assertTrue(err.toString().contains("already holds checkpoint step-000003"), err.toString());

        assertEquals(0, run(args("train", dir, "--resume", "--no-progress")), err.toString());
        assertTrue(out.toString().contains("COMPLETED at step 6 of 6"), out.toString());
        assertTrue(Files.exists(dir.resolve("run/export/model.safetensors")), "export.on_finish writes the export");
        assertTrue(out.toString().contains("exported to"), out.toString());

        assertEquals(0, run(args("train", dir, "--resume", "--no-progress")), err.toString());
        assertTrue(out.toString().contains("COMPLETED at step 6 of 6"), out.toString());
        assertTrue(!out.toString().contains("exported to"), "a finished run resumed again is not re-exported: " + out);

        assertEquals(0, run(args("eval", dir)), err.toString());
        assertTrue(out.toString().contains("(step 6): val_loss"), out.toString());
        assertTrue(out.toString().contains("unigram baseline"), out.toString());
        String checkpointLoss = valLoss(out.toString());

        Path exported = dir.resolve("exported");
        assertEquals(0, run(args("export", dir, "--out", exported.toString())), err.toString());
        assertTrue(Files.size(exported.resolve("model.safetensors")) > 0);
        assertTrue(Files.readString(exported.resolve("config.json")).contains("\"num_hidden_layers\": 2"),
                Files.readString(exported.resolve("config.json")));
        assertTrue(Files.exists(exported.resolve("placement.json")));
        assertTrue(Files.exists(exported.resolve("tokenizer.json")) && Files.exists(exported.resolve("modeling_mohge.py")));

        // the round trip in Java: the export read back from its files evaluates exactly like the checkpoint
        assertEquals(0, run(args("eval", dir, "--export", exported.toString())), err.toString());
        assertTrue(out.toString().startsWith("export " + exported + " (step 6): val_loss"), out.toString());
        assertEquals(checkpointLoss, valLoss(out.toString()));

        assertEquals(Main.EXIT_BAD_INPUT, run(args("eval", dir, "--export", dir.resolve("nowhere").toString())));
        assertTrue(err.toString().contains("config.json is missing"), err.toString());

        // a batch larger than the validation split: bad input naming the key, for a checkpoint and an export
        for (List<String> bigBatch : List.of(args("eval", dir, "--set", "trainer.batch_size=100000"),
                args("eval", dir, "--export", exported.toString(), "--set", "trainer.batch_size=100000"))) {
            assertEquals(Main.EXIT_BAD_INPUT, run(bigBatch), err.toString());
            assertTrue(err.toString().startsWith("error: trainer.batch_size: a validation batch of 100000 sequences"),
                    err.toString());
        }
    }

    /** Conversion from the command line: --init-from, then eval and generate report switch rates and cache loads. */
    @Test
    void convertEvaluateAndGenerateWithSwitchControllers(@TempDir Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) text.append("the expert ").append(i % 17).append(" routes token ").append(i).append('\n');
        Files.writeString(dir.resolve("corpus.txt"), text);
        assertEquals(0, run(args("train", dir, "--no-progress")), err.toString());
        Path base = dir.resolve("run/checkpoints/step-000006");

        String[] convert = {"--init-from", base.toString(), "--no-progress", "--set", "run.out_dir=" + dir.resolve("conv"),
                "--set", "model.temporal.controller=true", "--set", "model.temporal.deliberation_cost=0.02",
                "--set", "trainer.trainable=[controller]", "--set", "losses.distill_coef=1", "--set", "losses.lm_coef=0"};
        assertEquals(Main.EXIT_BAD_INPUT, run(args("train", dir, convert)));
        assertTrue(err.toString().startsWith("error: Invalid export.on_finish"), err.toString());
        List<String> withoutExport = args("train", dir, convert);
        withoutExport.addAll(List.of("--set", "export.on_finish=false"));
        assertEquals(0, run(withoutExport), err.toString());
        assertTrue(out.toString().contains("COMPLETED at step 6 of 6"), out.toString());
        assertTrue(Files.readString(dir.resolve("conv/config.resolved.yaml")).contains("init_from: " + base),
                "--init-from sets trainer.init_from");

        Path converted = dir.resolve("conv/checkpoints/step-000006");
        assertEquals(0, run(args("eval", dir, "--checkpoint", converted.toString(), "--cache-experts", "1,4")),
                err.toString());
        assertTrue(out.toString().contains("switch rate (greedy decisions): top-1 "), out.toString());
        assertTrue(out.toString().contains("controllers switch at"), out.toString());
        assertTrue(out.toString().contains("expert cache (LRU, 1 experts resident per layer)")
                && out.toString().contains("expert cache (LRU, 4 experts resident per layer)"), out.toString());

        assertEquals(0, run(List.of("generate", "--checkpoint", converted.toString(), "--prompt", "the expert",
                "--max-new-tokens", "12", "--temperature", "0", "--no-stop")), err.toString());
        assertTrue(err.toString().contains("expert cache (LRU, 2 of 8 experts resident per layer)")
                && err.toString().contains("expert cache (LRU, 4 of 8 experts resident per layer)"), err.toString());
        assertTrue(err.toString().contains("expert-set switch rate") && err.toString().contains("(switch controllers"),
                err.toString());

        assertEquals(Main.EXIT_BAD_INPUT, run(args("export", dir, "--checkpoint", converted.toString(), "--out",
                dir.resolve("x").toString())));
        assertTrue(err.toString().startsWith("error: model.temporal.controller: this checkpoint has switch controllers"),
                err.toString());
    }

    private static String valLoss(String output) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("val_loss (\\S+) nats").matcher(output);
        assertTrue(m.find(), output);
        return m.group(1);
    }

    @Test
    void evalWithoutCheckpointExplainsWhatToDo(@TempDir Path dir) {
        assertEquals(Main.EXIT_BAD_INPUT, run(args("eval", dir)));
        assertTrue(err.toString().contains("no checkpoint under"), err.toString());
        assertTrue(err.toString().contains("train first"), err.toString());
    }
}
