package io.mohge.cli;

import io.mohge.mixture.TinyMixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's path through mohge smalltalk on the tiny two-language mixture: train, evaluate, export, generate. */
class SmallTalkCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static String[] args(Path yaml, String... rest) {
        List<String> a = new ArrayList<>();
        a.add("smalltalk");
        a.add(rest[0]);
        a.add("--config");
        a.add(yaml.toString());
        a.addAll(List.of(rest).subList(1, rest.length));
        return a.toArray(String[]::new);
    }

    /** Standard error holds exactly one line, starting with {@code prefix}. */
    private void oneError(String prefix) {
        String e = err.toString();
        assertTrue(e.startsWith(prefix) && e.strip().lines().count() == 1, e);
    }

    /** The mixture row of an eval table routed on {@code m} tokens: its val loss. */
    private static double mixtureLoss(String table, int m) {
        Matcher x = Pattern.compile("\\| SmallTalk R=2 \\| " + m + " tokens \\| [^|]+ \\| [^|]+ \\| ([0-9.]+) \\|").matcher(table);
        assertTrue(x.find(), table);
        return Double.parseDouble(x.group(1));
    }

    @Test
    void trainEvaluateExportAndGenerate(@TempDir Path dir) throws IOException {
        Path corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        TinyMixture.config(corpus, dir.resolve("data"), dir.resolve("run"));
        Path yaml = dir.resolve("run.yaml");

        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "eval")));
        assertTrue(err.toString().startsWith("error: run.out_dir:") && err.toString().contains("train-routers"), err.toString());

        assertEquals(0, run(args(yaml, "train", "--no-progress")), err.toString());
        assertTrue(out.toString().contains("routers trained: 3 EM rounds (rounds)"), out.toString());
        assertTrue(out.toString().contains("expert 0: COMPLETED at step 10") && out.toString().contains("expert 1: COMPLETED"),
                out.toString());
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train", "--no-progress")));
        assertTrue(err.toString().contains("--resume"), err.toString());
        assertEquals(0, run(args(yaml, "train", "--resume", "--no-progress")), err.toString());
        assertTrue(out.toString().contains("expert 0: SKIPPED"), out.toString());

        // the same config trained by mohge train is the dense model of an expert's size
        assertEquals(0, run("train", "--config", yaml.toString(), "--set", "run.out_dir=" + dir.resolve("dense"),
                "--no-progress"), err.toString());

        assertEquals(0, run(args(yaml, "eval", "--prefix-tokens", "4,8", "--baseline", dir.resolve("dense").toString(),
                "--languages")), err.toString());
        String table = out.toString();
        assertTrue(table.contains("loss counted on the predictions of tokens 8..32"), table);
        double routed8 = mixtureLoss(table, 8);
        assertTrue(routed8 > 0 && routed8 < 5, table);
        mixtureLoss(table, 4);
        assertTrue(table.contains("| dense (step 10) | - |"), table);
        assertTrue(table.contains("routing shares (M = 8): expert 0"), table);
        assertTrue(table.contains("| el |") && table.contains("| en |"), "language rows: " + table);

        Path exported = dir.resolve("exported");
        assertEquals(0, run(args(yaml, "export", "--out", exported.toString())), err.toString());
        assertTrue(Files.exists(exported.resolve("mixture.json")) && Files.exists(exported.resolve("tokenizer.json")));
        for (String member : List.of("routers/router-0", "routers/router-1", "experts/expert-0", "experts/expert-1")) {
            assertTrue(Files.exists(exported.resolve(member).resolve("model.safetensors")), member);
        }
        assertEquals(0, run(args(yaml, "eval", "--export", exported.toString())), err.toString());
        assertEquals(routed8, mixtureLoss(out.toString(), 8), 1e-4, "the export evaluates like the checkpoints");

        assertEquals(0, run(args(yaml, "generate", "--export", exported.toString(), "--prompt", "το κοινοβούλιο ψηφίζει",
                "--temperature", "0", "--max-new-tokens", "12")), err.toString());
        Matcher greek = Pattern.compile("routed to expert (\\d)").matcher(err.toString());
        assertTrue(greek.find(), err.toString());
        assertTrue(out.toString().startsWith("το κοινοβούλιο ψηφίζει"), out.toString());
        assertEquals(0, run(args(yaml, "generate", "--prompt", "the parliament votes on", "--temperature", "0",
                "--max-new-tokens", "12")), err.toString());
        Matcher latin = Pattern.compile("routed to expert (\\d)").matcher(err.toString());
        assertTrue(latin.find(), err.toString());
        assertNotEquals(greek.group(1), latin.group(1), "the two scripts go to different experts");
    }

    @Test
    void badMixtureSettingsGiveOneErrorLineNamingTheKey(@TempDir Path dir) throws IOException {
        Path corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        TinyMixture.config(corpus, dir.resolve("data"), dir.resolve("run"));
        Path yaml = dir.resolve("run.yaml");

        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-routers", "--set", "mixture.prefix_tokens=40")));
        oneError("error: Invalid mixture.prefix_tokens (from --set): 40 is longer than");
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-routers", "--set", "mixture.router.model.seq_len=32",
                "--set", "mixture.prefix_tokens=32")));
        oneError("error: mixture.prefix_tokens: 32 leaves no token");
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-routers", "--set", "mixture.balance=fair")));
        oneError("error: Invalid mixture.balance (from --set): expected one of capacity, none");
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-routers", "--set", "mixture.experts=1")));
        oneError("error: Invalid mixture.experts (from --set): must lie in 2..");
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-routers", "--set", "mixture.router.model.vocab_size=300")));
        oneError("error: mixture.router.model.vocab_size: 300 does not match");
        assertEquals(Main.EXIT_BAD_INPUT, run("smalltalk", "bogus"));
        oneError("error: ");
        assertTrue(err.toString().contains("mohge smalltalk --help"), err.toString());
        assertEquals(Main.EXIT_BAD_INPUT, run(args(yaml, "train-experts", "--experts", "x")));
        oneError("error: ");
        assertTrue(err.toString().contains("--experts"), err.toString());
        assertEquals(0, run("smalltalk", "--help"));
        assertTrue(out.toString().contains("train-routers") && out.toString().contains("2410.03529"), out.toString());
        assertTrue(Files.notExists(dir.resolve("run")), "a refused command writes nothing into run.out_dir");
    }
}
