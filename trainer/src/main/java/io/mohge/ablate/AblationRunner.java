package io.mohge.ablate;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.model.ParamCount;
import io.mohge.train.GradientSource;
import io.mohge.train.MetricsLog;
import io.mohge.train.Plots;
import io.mohge.train.TrainResult;
import io.mohge.train.Trainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every config of an {@link AblationSet} on the same data and budget, then writes {@code results.md}
 * (one row per run) and {@code val_loss.png} / {@code train_loss.png} into the set's out_dir.
 *
 * <p>A run whose directory already holds a checkpoint is resumed (a finished run is not trained again), so an
 * interrupted ablation continues where it stopped.
 */
public final class AblationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(AblationRunner.class);
    public static final String RESULTS = "results.md";

    private AblationRunner() { }

    /** The configs of a set, resolved and validated before anything trains. */
    public static Map<AblationSet.Run, RunConfig> resolve(AblationSet set) {
        Map<AblationSet.Run, RunConfig> configs = new LinkedHashMap<>();
        for (AblationSet.Run run : set.runs()) {
            try {
                configs.put(run, ConfigLoader.load(set.base(), run.overrides(), set.setArguments(run)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(set.file() + ": run '" + run.name() + "': " + e.getMessage(), e);
            }
        }
        return configs;
    }

    /** Trains every run and writes the table and plots; returns the rows in the set's order. */
    public static List<AblationResult> run(AblationSet set, GradientSource.Factory gradients, boolean progressBar)
            throws IOException {
        Map<AblationSet.Run, RunConfig> configs = resolve(set);
        List<AblationResult> rows = new ArrayList<>();
        Map<String, List<Map<String, Double>>> metrics = new LinkedHashMap<>(); // run name -> metrics.csv rows
        for (Map.Entry<AblationSet.Run, RunConfig> e : configs.entrySet()) {
            RunConfig cfg = e.getValue();
            LOG.info("ablation {}: run {} ({} FFN)", set.file(), e.getKey().name(), cfg.model().ffn());
            TrainResult r = Trainer.run(cfg, new Trainer.Options(true, progressBar, 0), gradients);
            if (r.stop() == TrainResult.Stop.NON_FINITE) {
                LOG.warn("ablation run {} stopped early: {}", e.getKey().name(), r.message());
            }
            List<Map<String, Double>> runMetrics = MetricsLog.readCsv(Path.of(cfg.run().outDir()).resolve(MetricsLog.CSV));
            metrics.put(e.getKey().name(), runMetrics);
            rows.add(AblationResult.of(e.getKey().name(), cfg, ParamCount.of(cfg.model()), runMetrics, r.stop()));
        }
        Files.createDirectories(set.outDir());
        String table = AblationResult.markdown(set, rows);
        Files.writeString(set.outDir().resolve(RESULTS), table, StandardCharsets.UTF_8);
        plot(set, metrics);
        return rows;
    }

    /** One chart per metric with a line per run, over the union of the runs' logged steps. */
    private static void plot(AblationSet set, Map<String, List<Map<String, Double>>> metrics) throws IOException {
        java.util.TreeSet<Double> steps = new java.util.TreeSet<>();
        metrics.values().forEach(rows -> rows.forEach(r -> steps.add(r.get(MetricsLog.STEP))));
        double[] x = steps.stream().mapToDouble(Double::doubleValue).toArray();
        for (String column : List.of("val_loss", "loss")) {
            Map<String, double[]> series = new LinkedHashMap<>();
            metrics.forEach((name, rows) -> {
                double[] y = new double[x.length];
                java.util.Arrays.fill(y, Double.NaN);
                for (Map<String, Double> r : rows) {
                    y[java.util.Arrays.binarySearch(x, r.get(MetricsLog.STEP))] = r.getOrDefault(column, Double.NaN);
                }
                series.put(name, y);
            });
            boolean val = column.equals("val_loss");
            Plots.lines(set.outDir().resolve(val ? "val_loss.png" : "train_loss.png"),
                    val ? "Validation loss" : "Training loss", "step", column, x, series);
        }
    }
}
