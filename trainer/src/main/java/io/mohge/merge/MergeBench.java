package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.engine.Sampler;
import io.mohge.files.AtomicFiles;
import io.mohge.export.ExportLm;
import io.mohge.export.ExportReader;
import io.mohge.export.ExportReader.ExportedModel;
import io.mohge.generate.Generator;
import io.mohge.generate.ServingModel;
import io.mohge.tensors.DType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The serving benchmark of task-aware merging: for every task and merge ratio, a merge for that task (searched
 * weights), written as an export and read back, against the unmerged export:
 * <ul>
 *   <li>validation loss on the task's validation documents (which neither the statistics nor the search saw), with the
 *       keep-intact and usage-proportional weights of the same plan beside the searched ones;</li>
 *   <li>parameter memory: the weights' bytes in the export's dtype;</li>
 *   <li>generation tokens/s of {@code mohge generate}'s decoder (greedy, no stop, a prompt from the task's validation
 *       text), unmerged and merged measured in turn in every round, median over rounds.</li>
 * </ul>
 * Writes {@code results.md}, {@code results.csv}, {@code loss_vs_memory.png} and one merged export (with its search
 * curve) per task and ratio.
 */
public final class MergeBench {

    private static final Logger LOG = LoggerFactory.getLogger(MergeBench.class);

    /** One row of the table. */
    public record Row(String task, String ratio, int survivors, long parameters, double memoryMb, double lossUnmerged,
                      double lossSearch, double lossKeep, double lossUsage, double[] weights, double tpsUnmerged,
                      double tpsMerged, double regret) { }

    /**
     * @param ratios     e.g. ["1/2", "1/4"]; a ratio the model cannot reach is reported, not run
     * @param newTokens  tokens generated per timed run
     * @param rounds     timed rounds (after one untimed warm-up round)
     */
    public record Settings(List<String> ratios, TaskAwareMerge.Options base, int newTokens, int rounds, int promptTokens) {
        public Settings {
            ratios = List.copyOf(ratios);
            if (ratios.isEmpty()) throw new BadInputException("--ratios: give at least one ratio, e.g. 1/2,1/4");
            if (newTokens < 1) throw new BadInputException("--new-tokens: at least 1, got " + newTokens);
            if (rounds < 1) throw new BadInputException("--rounds: at least 1, got " + rounds);
            if (promptTokens < 1) throw new IllegalArgumentException("prompt tokens: at least 1");
        }
    }

    /** What the benchmark found, and the lines of notes (unreachable ratios). */
    public record Report(List<Row> rows, List<String> notes, long sourceParameters, double sourceMemoryMb) { }

    private MergeBench() { }

    public static Report run(Path exportDir, List<TaskData> tasks, Settings s, Path outDir) throws IOException {
        ExportedModel source = ExportReader.read(exportDir);
        DType dtype = MergedExport.dtype(exportDir);
        ExportLm lm = ExportLm.of(source);
        TaskStats stats = TaskAwareMerge.statistics(lm, tasks, s.base());
        int seq = source.config().seqLen();
        int batch = s.base().budget().batch();
        Map<String, int[][]> validation = new LinkedHashMap<>();
        Map<String, Double> unmerged = new LinkedHashMap<>();
        for (TaskData t : tasks) {
            validation.put(t.name(), t.windows(TaskData.Part.VALIDATION, seq, s.base().budget().validationWindows(), batch));
            unmerged.put(t.name(), TaskAwareMerge.loss(lm, validation.get(t.name()), batch));
        }
        long sourceParams = count(source);
        double sourceMb = MergedExport.parameterBytes(source, dtype) / 1e6;
        ServingModel sourceServing = ServingModel.fromExport(exportDir);
        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String ratio : s.ratios()) {
            int survivors;
            try {
                survivors = MergeRatio.survivors(source.config(), ratio, null);
            } catch (BadInputException e) { // a ratio this model cannot be merged to
                notes.add("ratio " + ratio + " not run: " + e.getMessage());
                continue;
            }
            for (TaskData t : tasks) {
                String label = "ratio-" + ratio.replace("/", "of").replace(".", "p");
                Path out = outDir.resolve(t.name() + "-" + label);
                TaskAwareMerge.Options o = new TaskAwareMerge.Options(survivors, t.name(), TaskAwareMerge.Weights.SEARCH,
                        s.base().search(), s.base().ema(), s.base().budget());
                TaskAwareMerge.Outcome searched = TaskAwareMerge.run(source, lm, stats, tasks, o, out);
                MergedExport.write(exportDir, searched.merged(), out, TaskAwareMerge.report(searched, exportDir, o));
                MergePlots.searchCurve(searched.search(), "Merge-weight search, task " + t.name() + ", ratio " + ratio,
                        out.resolve("merge_search.png"));
                ExportLm mergedLm = ExportLm.load(out);
                double lossSearch = TaskAwareMerge.loss(mergedLm, validation.get(t.name()), batch);
                double lossKeep = validationLoss(source, searched.plan(), keep(searched.plan().clusterSize()), out,
                        validation.get(t.name()), batch);
                double lossUsage = validationLoss(source, searched.plan(),
                        TaskAwareMerge.usageWeights(searched.plan(), stats.usage(t.name())), out, validation.get(t.name()),
                        batch);
                double[] tps = tokensPerSecond(sourceServing, ServingModel.fromExport(out), prompt(t, s.promptTokens()), s);
                rows.add(new Row(t.name(), ratio, survivors, count(searched.merged()),
                        MergedExport.parameterBytes(searched.merged(), dtype) / 1e6, unmerged.get(t.name()), lossSearch,
                        lossKeep, lossUsage, searched.weights(), tps[0], tps[1], searched.search().cumulativeRegret()));
                LOG.info("merge bench {} {}: val loss {} -> {}, {} -> {} tokens/s", t.name(), ratio,
                        unmerged.get(t.name()), lossSearch, tps[0], tps[1]);
            }
        }
        Report report = new Report(rows, notes, sourceParams, sourceMb);
        write(report, exportDir, s, outDir);
        return report;
    }

    private static double validationLoss(ExportedModel source, MergePlan plan, double[] weights, Path dir, int[][] windows,
                                         int batch) {
        ExportLm lm = ExportLm.of(ExpertMerger.merge(source, plan, weights, dir));
        return TaskAwareMerge.loss(lm, windows, batch);
    }

    private static double[] keep(int m) {
        double[] w = new double[m];
        w[0] = 1;
        return w;
    }

    private static int[] prompt(TaskData t, int tokens) {
        return Arrays.copyOf(t.validation(), Math.min(tokens, t.validation().length));
    }

    /** Median generation tokens/s of the two models, measured in turn every round after one untimed round. */
    static double[] tokensPerSecond(ServingModel a, ServingModel b, int[] prompt, Settings s) {
        Generator ga = new Generator(a.model());
        Generator gb = new Generator(b.model());
        double[][] tps = new double[2][s.rounds()];
        for (int round = -1; round < s.rounds(); round++) {
            double x = ga.generate(prompt, s.newTokens(), Sampler.greedy(), -1, id -> { }).tokensPerSecond();
            double y = gb.generate(prompt, s.newTokens(), Sampler.greedy(), -1, id -> { }).tokensPerSecond();
            if (round >= 0) {
                tps[0][round] = x;
                tps[1][round] = y;
            }
        }
        return new double[] {median(tps[0]), median(tps[1])};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long count(ExportedModel m) {
        return m.params().values().stream().mapToLong(t -> t.data().length).sum();
    }

    private static void write(Report r, Path exportDir, Settings s, Path outDir) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Merge benchmark of %s (%d parameters, %.2f MB); search budget %d, seed %d, "
                        + "%d new tokens x %d rounds per generation figure%n%n", exportDir, r.sourceParameters(),
                r.sourceMemoryMb(), s.base().search().budget(), s.base().search().seed(), s.newTokens(), s.rounds()));
        md.append("| task | ratio | experts/group | parameters | memory MB | val loss unmerged | val loss merged (search) "
                + "| keep-intact | usage-weighted | search weights | generate tok/s unmerged | merged | speed-up |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder("task,ratio,experts_per_group,parameters,memory_mb,val_loss_unmerged,"
                + "val_loss_search,val_loss_keep,val_loss_usage,weights,tps_unmerged,tps_merged,cumulative_regret\n");
        for (Row row : r.rows()) {
            String w = Arrays.toString(Arrays.stream(row.weights()).map(x -> Math.round(x * 1000) / 1000.0).toArray());
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %,d | %.2f | %.4f | %.4f | %.4f | %.4f | %s | %.0f | %.0f | %.2fx |%n",
                    row.task(), row.ratio(), row.survivors(), row.parameters(), row.memoryMb(), row.lossUnmerged(),
                    row.lossSearch(), row.lossKeep(), row.lossUsage(), w, row.tpsUnmerged(), row.tpsMerged(),
                    row.tpsMerged() / row.tpsUnmerged()));
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f,%.6f,%.6f,%.6f,%.6f,%s,%.1f,%.1f,%.6f%n", row.task(),
                    row.ratio(), row.survivors(), row.parameters(), row.memoryMb(), row.lossUnmerged(), row.lossSearch(),
                    row.lossKeep(), row.lossUsage(), w.replace(",", ";").replace(" ", ""), row.tpsUnmerged(),
                    row.tpsMerged(), row.regret()));
        }
        for (String n : r.notes()) md.append("\n").append(n).append("\n");
        AtomicFiles.write(outDir.resolve("results.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(outDir.resolve("results.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (Row row : r.rows()) {
            series.computeIfAbsent(row.task(), k -> new ArrayList<>(List.of(new double[] {r.sourceMemoryMb(), row.lossUnmerged()})))
                    .add(new double[] {row.memoryMb(), row.lossSearch()});
        }
        if (!series.isEmpty()) {
            MergePlots.points("Validation loss against parameter memory (unmerged and merged per task)",
                    "parameter memory (MB)", "validation loss (nats/token)", series, outDir.resolve("loss_vs_memory.png"));
        }
    }
}
