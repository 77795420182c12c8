package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.export.ExportReader;
import io.mohge.export.Exporter;
import io.mohge.export.HfTokenizer;
import io.mohge.merge.CalibrationReader;
import io.mohge.merge.CalibrationSpec;
import io.mohge.merge.MergeBench;
import io.mohge.merge.TaskAwareMerge;
import io.mohge.merge.TaskData;
import io.mohge.merge.WeightSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "merge-bench", mixinStandardHelpOptions = true,
        description = {"Serving benchmark of task-aware merging: for every task and merge ratio, merges for that task "
                + "(searched weights), and reports the validation loss (with keep-intact and usage-weighted merges beside "
                + "it), parameter memory and generation tokens/s against the unmerged export.",
                "Writes --out/results.md, results.csv, loss_vs_memory.png and one merged export per task and ratio."})
final class MergeBenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
            description = "The export to merge.")
    Path export;

    @Option(names = "--calibration", paramLabel = "SPEC", required = true,
            description = "A task, as for mohge merge: NAME=FILE, FILE or builtin:europarl. Repeat for more tasks.")
    List<String> calibration;

    @Option(names = "--languages", paramLabel = "LIST", split = ",", description = "With builtin:europarl: the languages.")
    List<String> languages = List.of();

    @Option(names = "--out", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
            description = "Directory for the results and the merged exports.")
    Path out;

    @Option(names = "--ratios", split = ",", defaultValue = "1/2,1/4", description = "Merge ratios (default: ${DEFAULT-VALUE}).")
    List<String> ratios;

    @Option(names = "--budget", defaultValue = "16", description = "Search evaluations per merge (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the searches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--ema", defaultValue = "0.9", description = "Decay of the moving averages (default: ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--batch", defaultValue = "8", description = "Windows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--calibration-windows", defaultValue = "32", description = "Per task (default: ${DEFAULT-VALUE}).")
    int calibrationWindows;

    @Option(names = "--held-out-windows", defaultValue = "16", description = "Per task (default: ${DEFAULT-VALUE}).")
    int heldOutWindows;

    @Option(names = "--validation-windows", defaultValue = "32", description = "Per task (default: ${DEFAULT-VALUE}).")
    int validationWindows;

    @Option(names = "--new-tokens", defaultValue = "256", description = "Tokens per timed generation (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed generation rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws IOException {
        ExportReader.ExportedModel source = ExportReader.read(export);
        Path tokenizerFile = export.resolve(Exporter.TOKENIZER);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new BadInputException("--export: " + tokenizerFile + " is missing; export the model again with mohge export");
        }
        CalibrationReader.Budget b = new CalibrationReader.Budget(source.config().seqLen(), batch, calibrationWindows,
                heldOutWindows, validationWindows);
        List<CalibrationSpec> specs = new ArrayList<>();
        for (String c : calibration) specs.add(CalibrationSpec.parse(c, languages, UserDir::resolve));
        List<TaskData> tasks = CalibrationReader.read(specs, HfTokenizer.read(tokenizerFile), b);
        WeightSearch.Config search = WeightSearch.Config.DEFAULTS.withBudget(budget).withSeed(seed);
        TaskAwareMerge.Options base = new TaskAwareMerge.Options(1, null, TaskAwareMerge.Weights.SEARCH, search, ema, b);
        MergeBench.Report r = MergeBench.run(export, tasks, new MergeBench.Settings(ratios, base, newTokens, rounds, 32), out);
        PrintWriter o = spec.commandLine().getOut();
        o.print(Files.readString(out.resolve("results.md"), StandardCharsets.UTF_8));
        o.printf("wrote %s%n", out.resolve("results.md"));
        o.flush();
        if (r.rows().isEmpty()) {
            throw new BadInputException("--ratios: no ratio could be run: " + String.join("; ", r.notes()));
        }
        return 0;
    }
}
