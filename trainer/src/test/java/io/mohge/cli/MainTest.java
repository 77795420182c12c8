package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepare", "train", "eval", "export", "ablate", "allocate", "bench"})
    void everySubcommandHasHelp(String command) {
        assertEquals(0, run(command, "--help"));
        assertTrue(out.toString().contains("Usage: mohge " + command), out.toString());
    }

    @Test
    void printConfigShowsResolvedValues() {
        int code = run("train", "--config", "../configs/mohge-tiny.yaml", "--set", "trainer.steps=123", "--print-config");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("steps: 123"), out.toString());
        assertTrue(out.toString().contains("strategy: all-size-decoupled"), out.toString());
    }

    @Test
    void badConfigGivesOneLineAndExitCode2(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "trainer:\n  stepz: 5\n");
        int code = run("train", "--config", bad.toString(), "--print-config");
        assertEquals(Main.EXIT_BAD_INPUT, code);
        String message = err.toString();
        assertTrue(message.startsWith("error: Unknown key trainer.stepz"), message);
        assertTrue(message.contains("Did you mean steps?"), message);
        assertFalse(message.contains("\tat "), "no stack trace for bad input: " + message);
    }

    @Test
    void distributedBenchNamesABadAggregationOrSizeInOneLine() {
        assertEquals(Main.EXIT_BAD_INPUT, run("bench", "--distributed", "--aggregation", "tree,ring"));
        assertTrue(err.toString().startsWith("error: --aggregation: 'ring' is not one of tree, sharded"), err.toString());
        assertEquals(Main.EXIT_BAD_INPUT, run("bench", "--distributed", "--params", "1m,3b"));
        assertTrue(err.toString().contains("error: --params: '3b' is not one of 1m, 10m, 100m"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        int code = run("train", "--stepz", "5");
        assertEquals(2, code);
        assertTrue(err.toString().contains("Unknown options: '--stepz'"), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "frobnicate|unknown command 'frobnicate'; the commands are prepare, train|mohge --help",
        "distill --help|unknown command 'distill'|mohge --help",
        "help distill|Unknown subcommand 'distill'; see|mohge --help",
        "train --bogus|Unknown option: '--bogus'|mohge train --help",
        "allocate --ranks|Missing required parameter for option '--ranks' (N)|mohge allocate --help",
        "allocate --ranks x|Invalid value for option '--ranks': 'x' is not an int|mohge allocate --help",
        "ablate a.yaml b.yaml|Unmatched argument at index 2: 'b.yaml'|mohge ablate --help"})
    void usageMistakesPrintOneErrorLineAndExit2(String testCase) {
        String[] parts = testCase.split("\\|");
        String line = oneErrorLine(parts[0], "error: " + parts[1]);
        assertTrue(line.endsWith("see '" + parts[2] + "'"), line);
        assertEquals("", out.toString(), "no usage text on stdout either");
    }

    @Test
    void relativePathsResolveAgainstTheUsersDirectory(@TempDir Path userDir) throws IOException {
        Path base = Path.of("../configs/mohge-tiny.yaml").toAbsolutePath();
        Files.writeString(userDir.resolve("mine.yaml"), "trainer:\n  steps: 77\n");
        Files.writeString(userDir.resolve("more.yaml"), "trainer:\n  batch_size: 3\n");
        System.setProperty(UserDir.PROPERTY, userDir.toString());
        try {
            assertEquals(0, run("train", "--config", "mine.yaml", "--print-config"), err.toString());
            assertTrue(out.toString().contains("steps: 77"), out.toString());
            assertEquals(0, run("train", "--config", base.toString(), "--override", "more.yaml", "--print-config"),
                    err.toString());
            assertTrue(out.toString().contains("batch_size: 3"), out.toString());
            assertEquals(Main.EXIT_BAD_INPUT, run("eval", "--config", base.toString(), "--checkpoint", "ckpt"));
            assertTrue(err.toString().contains("checkpoint " + userDir.resolve("ckpt") + " does not exist"), err.toString());
            assertEquals(Main.EXIT_BAD_INPUT, run("allocate", "--config", base.toString(), "--load", "load.json"));
            assertTrue(err.toString().contains(userDir.resolve("load.json") + ": load statistics file not found"),
                    err.toString());
        } finally {
            System.clearProperty(UserDir.PROPERTY);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.d_model=1000000000", "model.seq_len=2000000000", "model.n_layers=100000",
        "model.mohge.experts_per_group=1000000"})
    void impossibleSizesAreOneErrorLineBeforeAnythingIsWritten(String set, @TempDir Path dir) {
        Path run = dir.resolve("run");
        int code = run("train", "--config", "../configs/mohge-tiny.yaml", "--set", set, "--set", "run.out_dir=" + run,
                "--set", "data.dir=" + dir.resolve("data"), "--no-progress");
        assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
        String[] lines = err.toString().split("\\R");
        assertEquals(1, lines.length, err.toString());
        assertTrue(lines[0].startsWith("error: model: training this config needs at least"), lines[0]);
        assertTrue(lines[0].contains("of memory"), lines[0]);
        assertFalse(Files.exists(run) || Files.exists(dir.resolve("data")), "nothing prepared or written");
    }

    @Test
    void exportToAnExistingFileSaysSo(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("model.bin"), "not a directory");
        int code = run("export", "--config", "../configs/mohge-tiny.yaml", "--out", file.toString());
        assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
        assertTrue(err.toString().startsWith("error: --out: " + file + " is an existing file, not a directory; "),
                err.toString());
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void aBareIllegalArgumentOrStateExceptionIsAnInternalErrorWithItsStackTrace() {
        assertNotEquals(Main.EXIT_BAD_INPUT, Main.EXIT_INTERNAL_ERROR);
        List<RuntimeException> bugs = List.of(new IllegalArgumentException("shape [2, 3] does not match [3, 2]"),
                new IllegalStateException("the optimizer has no state"), new NullPointerException(),
                new RuntimeException(new IOException("an exception of its own, not a carrier")),
                new UncheckedExecution(new IllegalArgumentException("carried, but a bug")));
        for (RuntimeException bug : bugs) {
            StringWriter trace = new StringWriter();
            assertFalse(Main.isBadInput(bug), bug.toString());
            assertEquals(Main.EXIT_INTERNAL_ERROR, Main.report(bug, new PrintWriter(trace), false), bug.toString());
            assertTrue(trace.toString().startsWith("internal error (please report): " + bug), trace.toString());
            assertTrue(trace.toString().contains("\tat io.mohge.cli.MainTest."), "the stack trace: " + trace);
        }
    }

    @Test
    void badInputIsOneErrorLineWithoutStackTraceUnlessVerbose() {
        List<Exception> bad = List.of(new BadInputException("--top-k must be 0 (all) or more, got -1"),
                new ConfigException("Unknown key trainer.stepz (in bad.yaml). Did you mean steps?"),
                new IOException("data/x/manifest.json: truncated"),
                new UncheckedIOException("cannot read placement p.json", new IOException("EIO")),
                new NoSuchFileException("/tmp/none.txt"),
                new BadInputException("a message\n  over two lines"),
                new ExecutionException(new BadInputException("--ranks: carried across a thread")),
                new picocli.CommandLine.ExecutionException(new picocli.CommandLine(new Main()), "wrapped",
                        new IOException("carried by picocli")));
        List<String> lines = List.of("error: --top-k must be 0 (all) or more, got -1",
                "error: Unknown key trainer.stepz (in bad.yaml). Did you mean steps?",
                "error: data/x/manifest.json: truncated", "error: cannot read placement p.json",
                "error: /tmp/none.txt: no such file or directory", "error: a message over two lines",
                "error: --ranks: carried across a thread", "error: carried by picocli");
        for (int i = 0; i < bad.size(); i++) {
            StringWriter quiet = new StringWriter();
            assertTrue(Main.isBadInput(bad.get(i)), bad.get(i).toString());
            assertEquals(Main.EXIT_BAD_INPUT, Main.report(bad.get(i), new PrintWriter(quiet), false));
            assertEquals(lines.get(i) + System.lineSeparator(), quiet.toString());
            StringWriter verbose = new StringWriter();
            assertEquals(Main.EXIT_BAD_INPUT, Main.report(bad.get(i), new PrintWriter(verbose), true));
            assertTrue(verbose.toString().startsWith(lines.get(i)) && verbose.toString().contains("\tat "),
                    "-v adds the stack trace: " + verbose);
        }
    }

    /** A RuntimeException subclass that only carries its cause, as a thread pool's would; not one Main knows. */
    private static final class UncheckedExecution extends RuntimeException {
        UncheckedExecution(Throwable cause) {
            super(cause);
        }
    }

    /** The model and allocation modules cannot throw BadInputException; the CLI still reports their refusals as such. */
    @ParameterizedTest
    @ValueSource(strings = {
        "generate --export nowhere --prompt a --temperature -1|error: --temperature must be 0 (greedy) or a positive",
        "generate --export nowhere --prompt a --top-p 0|error: --top-p must lie in (0, 1], got 0.0",
        "allocate --config ../configs/mohge-tiny.yaml --group-shares 1,2|error: group_shares: expected one share per group",
        "allocate --config ../configs/mohge-tiny.yaml --load ../configs/mohge-tiny.yaml|error: ",
        "train --config ../configs/mohge-tiny.yaml --stop-after -1 --set data.dir=nowhere|error: --stop-after must be 0"})
    void refusalsOfUserInputAreOneErrorLine(String testCase) {
        String[] parts = testCase.split("\\|");
        oneErrorLine(parts[0], parts[1]);
    }

    /** Runs {@code commandLine}, which must exit 2 with exactly one line on stderr starting with {@code prefix}. */
    private String oneErrorLine(String commandLine, String prefix) {
        int code = run(commandLine.split(" "));
        assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
        String[] lines = err.toString().split("\\R");
        assertEquals(1, lines.length, "one line, no usage text: " + err);
        assertTrue(lines[0].startsWith(prefix), lines[0]);
        return lines[0];
    }

    @Test
    void hopperGpusAreRefusedOthersAccepted() {
        assertEquals(null, CudaGuard.refusal(java.util.List.of("0, NVIDIA A100-SXM4-40GB, 8.0", "1, NVIDIA L4, 8.9")));
        String refusal = CudaGuard.refusal(java.util.List.of("0, NVIDIA A100, 8.0", "1, NVIDIA H100 80GB HBM3, 9.0"));
        assertTrue(refusal != null && refusal.contains("GPU 1 (NVIDIA H100 80GB HBM3) has compute capability 9.0"), refusal);
        assertTrue(refusal.contains("CUDA_VISIBLE_DEVICES"), refusal);
    }
}
