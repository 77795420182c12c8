package io.mohge.ablate;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.files.AtomicFiles;
import io.mohge.config.RunConfig;
import io.mohge.train.GradientSource;
import io.mohge.train.MetricsLog;
import io.mohge.train.Plots;
import io.mohge.train.TrainResult;
import io.mohge.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Trains the jobs of an {@link AblationSet} (every run with every seed) on the same data and budget, then writes
 * {@code results.md}, {@code results.csv} and {@code val_loss.png} / {@code train_loss.png} (mean line, band of
 * ± one sd over seeds) into the set's out_dir.
 *
 * <p>A job whose metrics already reach its last step is finished and skipped (it is not even resumed, so jobs
 * finished by an older build whose metrics have other columns still count); a job with a checkpoint short of its
 * last step is resumed, so an interrupted set continues where it stopped. A set can be split into parts run by separate processes
 * ({@link Part}); {@link #report} rebuilds the table and plots from the jobs' metrics without training.
 */
public final class AblationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(AblationRunner.class);
    public static final String RESULTS = "results.md";
    public static final String RESULTS_CSV = "results.csv";

    /** Part {@code index} of {@code count}: the jobs whose position in {@link AblationSet#jobs()} is index-1 mod count. */
    public record Part(int index, int count) {
        public static final Part ALL = new Part(1, 1);

        public Part {
            if (count < 1 || index < 1 || index > count) {
                throw new BadInputException("--part " + index + "/" + count
                        + " is not a part: write K/N with 1 <= K <= N, e.g. --part 1/2");
            }
        }

        public boolean includes(int position) {
            return position % count == index - 1;
        }
    }

    private AblationRunner() { }

    /** The configs of a set's jobs, resolved and validated before anything trains. */
    public static Map<AblationSet.Job, RunConfig> resolve(AblationSet set) {
        Map<AblationSet.Job, RunConfig> configs = new LinkedHashMap<>();
        for (AblationSet.Job job : set.jobs()) {
            try {
                configs.put(job, ConfigLoader.load(set.base(), job.run().overrides(), set.setArguments(job)));
            } catch (BadInputException e) { // a ConfigException of the run's overrides or set values
                throw new BadInputException(set.file() + ": run '" + job.run().name() + "': " + e.getMessage(), e);
            }
        }
        return configs;
    }

    /**
     * Trains this part's jobs; when every job of the set then has metrics, writes the table and plots.
     *
     * @return the rows of all jobs in the set's order, or an empty list when other parts have not run yet
     */
    public static List<AblationResult> run(AblationSet set, Part part, GradientSource.Factory gradients,
                                           boolean progressBar) throws IOException {
        Map<AblationSet.Job, RunConfig> configs = resolve(set);
        int position = 0;
        for (Map.Entry<AblationSet.Job, RunConfig> e : configs.entrySet()) {
            if (!part.includes(position++)) continue;
            RunConfig cfg = e.getValue();
            if (finished(e.getKey(), cfg)) {
                LOG.info("ablation {}: {} already finished; skipped", set.file(), e.getKey().label());
                continue;
            }
            LOG.info("ablation {}: {} ({} FFN)", set.file(), e.getKey().label(), cfg.model().ffn());
            TrainResult r = Trainer.run(cfg, new Trainer.Options(true, progressBar, 0), gradients);
            if (r.stop() == TrainResult.Stop.NON_FINITE) {
                LOG.warn("ablation job {} stopped early: {}", e.getKey().label(), r.message());
            }
        }
        List<String> missing = configs.keySet().stream().filter(j -> !Files.exists(metricsOf(j))).map(AblationSet.Job::label).toList();
        if (!missing.isEmpty()) {
            LOG.info("ablation {}: part {}/{} done; {} job(s) of other parts have not run yet ({}), so no table yet",
                    set.file(), part.index(), part.count(), missing.size(), String.join(", ", missing));
            return List.of();
        }
        return write(set, configs);
    }

    /** Rebuilds results.md, results.csv and the plots from the jobs' metrics, training nothing. */
    public static List<AblationResult> report(AblationSet set) throws IOException {
        Map<AblationSet.Job, RunConfig> configs = resolve(set);
        for (AblationSet.Job job : configs.keySet()) {
            if (!Files.exists(metricsOf(job))) {
                throw new BadInputException("ablation job " + job.label() + " has no metrics at "
                        + metricsOf(job) + "; train it first with: mohge ablate " + set.file());
            }
        }
        return write(set, configs);
    }

    /** Whether the job's metrics already log its last step. */
    private static boolean finished(AblationSet.Job job, RunConfig cfg) throws IOException {
        Path metrics = metricsOf(job);
        return Files.exists(metrics) && AblationResult.of(job, cfg, MetricsLog.readCsv(metrics)).complete();
    }

    private static Path metricsOf(AblationSet.Job job) {
        return job.dir().resolve(MetricsLog.CSV);
    }

    private static List<AblationResult> write(AblationSet set, Map<AblationSet.Job, RunConfig> configs)
            throws IOException {
        List<AblationResult> rows = new ArrayList<>();
        Map<String, List<List<Map<String, Double>>>> metrics = new LinkedHashMap<>(); // run -> per seed metrics rows
        for (Map.Entry<AblationSet.Job, RunConfig> e : configs.entrySet()) {
            List<Map<String, Double>> m = MetricsLog.readCsv(metricsOf(e.getKey()));
            metrics.computeIfAbsent(e.getKey().run().name(), k -> new ArrayList<>()).add(m);
            AblationResult row = AblationResult.of(e.getKey(), e.getValue(), m);
            if (!row.complete()) {
                LOG.warn("ablation job {} stopped at step {} of {}", e.getKey().label(), row.stepsDone(), row.stepsPlanned());
            }
            rows.add(row);
        }
        Files.createDirectories(set.outDir());
        AtomicFiles.writeString(set.outDir().resolve(RESULTS), AblationTable.markdown(set, rows));
        AtomicFiles.writeString(set.outDir().resolve(RESULTS_CSV), AblationTable.csv(rows));
        plot(set, metrics);
        return rows;
    }

    /** One chart per metric: per run the mean over seeds and a band of ± one sd, over the union of logged steps. */
    private static void plot(AblationSet set, Map<String, List<List<Map<String, Double>>>> metrics) throws IOException {
        TreeSet<Double> steps = new TreeSet<>();
        metrics.values().forEach(seeds -> seeds.forEach(rows -> rows.forEach(r -> steps.add(r.get(MetricsLog.STEP)))));
        double[] x = steps.stream().mapToDouble(Double::doubleValue).toArray();
        for (String column : List.of("val_loss", "loss")) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            metrics.forEach((name, seeds) -> {
                double[][] values = new double[seeds.size()][x.length];
                for (int s = 0; s < seeds.size(); s++) {
                    Arrays.fill(values[s], Double.NaN);
                    for (Map<String, Double> r : seeds.get(s)) {
                        values[s][Arrays.binarySearch(x, r.get(MetricsLog.STEP))] = r.getOrDefault(column, Double.NaN);
                    }
                }
                series.put(name, band(values));
            });
            boolean val = column.equals("val_loss");
            Plots.bands(set.outDir().resolve(val ? "val_loss.png" : "train_loss.png"),
                    val ? "Validation loss (mean ± sd over seeds)" : "Training loss (mean ± sd over seeds)",
                    "step", column, x, series);
        }
    }

    /** Per step: mean over the seeds that logged it, and mean ± sd (NaN where fewer than one seed logged it). */
    static double[][] band(double[][] values) {
        int n = values[0].length;
        double[][] out = new double[3][n];
        for (int i = 0; i < n; i++) {
            int ii = i;
            AblationTable.Stat s = AblationTable.Stat.of(Arrays.stream(values).mapToDouble(row -> row[ii]).toArray());
            double sd = s.n() < 2 ? 0 : s.sd();
            out[0][i] = s.mean();
            out[1][i] = s.mean() - sd;
            out[2][i] = s.mean() + sd;
        }
        return out;
    }
}
