package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.export.ExportLm;
import io.mohge.export.ExportReader;
import io.mohge.export.Exporter;
import io.mohge.export.HfTokenizer;
import io.mohge.merge.CalibrationReader;
import io.mohge.merge.CalibrationSpec;
import io.mohge.merge.MergePlots;
import io.mohge.merge.MergeRatio;
import io.mohge.merge.MergedExport;
import io.mohge.merge.TaskAwareMerge;
import io.mohge.merge.TaskData;
import io.mohge.merge.TaskStats;
import io.mohge.merge.WeightSearch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Task-aware expert merging for serving (docs/merge.md): measures per-task expert usage on "
                + "calibration text, merges the experts inside every group by weighted parameter averaging (the most-used "
                + "survive, the rest fold into them), searches the merge weights on held-out text with a tree-structured "
                + "bandit, and writes a smaller export that every export reader loads unchanged.",
                "Writes --out/ (the export, plus merge_report.json and merge_search.png) and prints the held-out loss "
                + "before and after."})
final class MergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
            description = "The export to merge (written by mohge export or mohge train).")
    Path export;

    @Option(names = "--calibration", paramLabel = "SPEC", required = true,
            description = "A task: NAME=FILE or FILE (UTF-8, one document per line), or builtin:europarl (one task per "
                    + "language, labelled by a language detector). Repeat for more tasks.")
    List<String> calibration;

    @Option(names = "--languages", paramLabel = "LIST", split = ",",
            description = "With builtin:europarl: the languages to use as tasks, e.g. en,de,fi (default: every language with enough text).")
    List<String> languages = List.of();

    @Option(names = "--out", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
            description = "Directory of the merged export (created if missing).")
    Path out;

    @Option(names = "--ratio", paramLabel = "R", description = "Share of each group's experts kept, e.g. 1/2 or 1/4 "
            + "(default: 1/2 unless --experts-per-group is given).")
    String ratio;

    @Option(names = "--experts-per-group", paramLabel = "N", description = "Experts kept per group (a divisor of the "
            + "model's experts_per_group, at least 1).")
    Integer expertsPerGroup;

    @Option(names = "--task", paramLabel = "NAME", description = "Merge for this task alone (default: the served mix of "
            + "all tasks, weighted by their estimated shares).")
    String task;

    @Option(names = "--weights", defaultValue = "search", description = "search (tree + bandit on the held-out loss), "
            + "usage (usage-proportional) or keep (survivors intact, the rest dropped) (default: ${DEFAULT-VALUE}).")
    String weights;

    @Option(names = "--budget", defaultValue = "16", description = "Candidate merges the search evaluates (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the search (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--exploration", defaultValue = "1.0", description = "UCB exploration constant (default: ${DEFAULT-VALUE}).")
    double exploration;

    @Option(names = "--ema", defaultValue = "0.9", description = "Decay of the usage and task-share moving averages per "
            + "batch (default: ${DEFAULT-VALUE}).")
    double ema;

    @Option(names = "--batch", defaultValue = "8", description = "Windows per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--calibration-windows", defaultValue = "32", description = "Windows per task for the usage "
            + "statistics (default: ${DEFAULT-VALUE}).")
    int calibrationWindows;

    @Option(names = "--held-out-windows", defaultValue = "16", description = "Windows per task for the search's "
            + "reward (default: ${DEFAULT-VALUE}).")
    int heldOutWindows;

    @Override
    public Integer call() throws IOException {
        TaskAwareMerge.Weights mode = weightsMode(weights);
        ExportReader.ExportedModel source = ExportReader.read(export);
        int survivors = MergeRatio.survivors(source.config(), ratio, expertsPerGroup);
        Path tokenizerFile = export.resolve(Exporter.TOKENIZER);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new BadInputException("--export: " + tokenizerFile + " is missing; export the model again with mohge export");
        }
        CalibrationReader.Budget budget = new CalibrationReader.Budget(source.config().seqLen(), batch, calibrationWindows,
                heldOutWindows, batch);
        List<CalibrationSpec> specs = new ArrayList<>();
        for (String c : calibration) specs.add(CalibrationSpec.parse(c, languages, UserDir::resolve));
        if (!languages.isEmpty() && specs.stream().noneMatch(s -> s instanceof CalibrationSpec.Europarl)) {
            throw new BadInputException("--languages: only applies to --calibration builtin:europarl");
        }
        List<TaskData> tasks = CalibrationReader.read(specs, HfTokenizer.read(tokenizerFile), budget);
        if (task != null && tasks.stream().noneMatch(t -> t.name().equals(task))) {
            throw new BadInputException("--task: no task called '" + task + "'; the tasks are "
                    + String.join(", ", tasks.stream().map(TaskData::name).toList()));
        }
        TaskAwareMerge.Options options = new TaskAwareMerge.Options(survivors, task, mode,
                new WeightSearch.Config(budget(), WeightSearch.Config.DEFAULTS.maxDepth(), exploration,
                        WeightSearch.Config.DEFAULTS.ridge(), seed), ema, budget);
        ExportLm lm = ExportLm.of(source);
        TaskStats stats = TaskAwareMerge.statistics(lm, tasks, options);
        TaskAwareMerge.Outcome r = TaskAwareMerge.run(source, lm, stats, tasks, options, out);
        MergedExport.Written written = MergedExport.write(export, r.merged(), out, TaskAwareMerge.report(r, export, options));
        if (r.search() != null) {
            MergePlots.searchCurve(r.search(), "Merge-weight search (" + (task == null ? "served mix" : "task " + task) + ")",
                    out.resolve("merge_search.png"));
        }

        PrintWriter o = spec.commandLine().getOut();
        long before = source.params().values().stream().mapToLong(t -> t.data().length).sum();
        o.printf(Locale.ROOT, "tasks: %s (estimated shares %s)%n", String.join(", ", stats.tasks()), shares(stats.taskShares()));
        o.printf(Locale.ROOT, "merged %s -> %s: %d -> %d experts per group, top_k %d -> %d, %d -> %d parameters, placement %s%n",
                export, out, MergeRatio.expertsPerGroup(source.config()), survivors, MergeRatio.topK(source.config()),
                MergeRatio.topK(r.merged().config()), before, written.parameters(), written.placement());
        o.printf(Locale.ROOT, "merge weights (%s, survivor first): %s%n", mode.name().toLowerCase(Locale.ROOT),
                Arrays.toString(Arrays.stream(r.weights()).map(x -> Math.round(x * 1e4) / 1e4).toArray()));
        if (r.search() != null) {
            o.printf(Locale.ROOT, "search: %d evaluations, best at %d, cumulative regret vs best found %.4f%n",
                    r.search().trace().size(), bestRound(r.search()), r.search().cumulativeRegret());
        }
        for (String t : r.heldOutBefore().keySet()) {
            o.printf(Locale.ROOT, "  %-12s held-out loss %.4f -> %.4f%n", t, r.heldOutBefore().get(t), r.heldOutAfter().get(t));
        }
        o.printf(Locale.ROOT, "objective (%s): %.4f -> %.4f%n", task == null ? "served mix" : "task " + task,
                r.objectiveBefore(), r.objectiveAfter());
        o.flush();
        return 0;
    }

    private int budget() {
        if (budget < 1) throw new BadInputException("--budget: at least 1 evaluation, got " + budget);
        return budget;
    }

    static TaskAwareMerge.Weights weightsMode(String s) {
        try {
            return TaskAwareMerge.Weights.valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--weights: '" + s + "' is not one of search, usage, keep");
        }
    }

    private static int bestRound(WeightSearch.Result r) {
        for (WeightSearch.Evaluation e : r.trace()) if (e.loss() == r.loss()) return e.round();
        return -1;
    }

    private static String shares(Map<String, Double> shares) {
        List<String> s = new ArrayList<>();
        shares.forEach((k, v) -> s.add(String.format(Locale.ROOT, "%s %.2f", k, v)));
        return String.join(", ", s);
    }
}
