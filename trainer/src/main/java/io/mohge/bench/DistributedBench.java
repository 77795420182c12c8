package io.mohge.bench;

import io.mohge.config.BadInputException;
import io.mohge.config.DistributedConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The scale-out bench's cases and its table: model sizes, worker counts and aggregations in, one {@link Figure} per
 * case out. The measuring runs on Spark, in the optional Spark module ({@code io.mohge.spark.ScaleOutBench}): for
 * each worker count one Spark application with that many single-core executors, and in it, for each model size and
 * aggregation, whole optimizer steps exactly as the trainer runs them. Every step's wall time is split into
 * broadcast, worker compute, aggregation and driver update; bytes are what Spark reports (task results, shuffle
 * reads) plus the serialised broadcast times the executors that fetch it. Figures are medians over the timed steps,
 * after untimed warm-up steps. Each worker reads {@code batch_size} windows of {@code seq_len} tokens, so the global
 * batch grows with the worker count (weak scaling).
 */
public final class DistributedBench {

    /** A model size: a label, and the {@code --set} overrides that give it. */
    public record Size(String label, List<String> sets) {
        public Size {
            sets = List.copyOf(sets);
        }

        /** Models of about 1M, 10M and 100M parameters: the main job's MoHGE layout, wider and deeper. */
        public static Size of(String label) {
            return switch (label.toLowerCase(Locale.ROOT)) {
                case "1m" -> new Size("1M", mohge(96, 2, 3));
                case "10m" -> new Size("10M", mohge(240, 4, 8));
                case "100m" -> new Size("100M", mohge(768, 4, 12));
                default -> throw new BadInputException("--params: '" + label + "' is not one of 1m, 10m, 100m");
            };
        }

        private static List<String> mohge(int d, int layers, int heads) {
            double f = d / 128.0;
            return List.of("model.d_model=" + d, "model.n_layers=" + layers, "model.n_heads=" + heads,
                    "model.mohge.widths=[" + Math.round(128 * f) + "," + Math.round(192 * f) + "," + Math.round(256 * f)
                            + "," + Math.round(320 * f) + "]");
        }
    }

    /** What to measure and how long. */
    public record Options(List<Size> sizes, List<Integer> workers, List<DistributedConfig.Aggregation> aggregations,
                          int warmup, int steps, int batchSize, int seqLen) {
        public Options {
            sizes = List.copyOf(sizes);
            workers = List.copyOf(workers);
            aggregations = List.copyOf(aggregations);
            if (sizes.isEmpty() || workers.isEmpty() || aggregations.isEmpty()) {
                throw new BadInputException("--params, --workers and --aggregation need at least one value each");
            }
            if (workers.stream().anyMatch(w -> w < 1)) throw new BadInputException("--workers: must be 1 or more");
            if (warmup < 1 || steps < 1) throw new BadInputException("--warmup and --steps must be 1 or more");
            if (batchSize < 1 || seqLen < 8) throw new BadInputException("--batch must be 1 or more and --seq-len 8 or more");
        }
    }

    /**
     * One measured case (times in ms, medians over the timed steps; bytes per step).
     *
     * @param broadcastBytes the serialised broadcast times the executors that fetch it (0 in local mode: one JVM)
     * @param resultBytes    serialised task results received by the driver (Spark's resultSize)
     * @param shuffleBytes   shuffle bytes read by the reduce tasks (sharded aggregation)
     */
    public record Figure(String size, long parameters, int workers, DistributedConfig.Aggregation aggregation,
                         String master, long tokensPerStep, double stepMs, double broadcastMs, double computeMs, double aggregateMs,
                         double updateMs, long broadcastBytes, long resultBytes, long shuffleBytes) {

        public double tokensPerSecond() {
            return tokensPerStep / (stepMs / 1e3);
        }

        public long bytesMoved() {
            return broadcastBytes + resultBytes + shuffleBytes;
        }
    }

    private DistributedBench() { }

    /** The median of {@code v} (the mean of the middle two for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One figure as a row of {@link #table}. */
    public static String row(Figure f) {
        return String.format(Locale.ROOT, "| %s (%,d) | %d | %s | %,.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f |%n",
                f.size(), f.parameters(), f.workers(), f.aggregation().name().toLowerCase(Locale.ROOT), f.tokensPerSecond(), f.stepMs(),
                f.broadcastMs(), f.computeMs(), f.aggregateMs(), f.updateMs(), f.broadcastBytes() / 1e6,
                f.resultBytes() / 1e6, f.shuffleBytes() / 1e6, f.bytesMoved() / 1e6);
    }

    /** The scale-out table (Markdown). */
    public static String table(List<Figure> figures) {
        StringBuilder sb = new StringBuilder();
        sb.append("| params | workers | aggregation | tokens/s | step ms | broadcast ms | compute ms | aggregate ms "
                + "| update ms | MB broadcast | MB to driver | MB shuffled | MB moved |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Figure f : figures) sb.append(row(f));
        if (!figures.isEmpty()) sb.append("master: ").append(figures.get(0).master()).append('\n');
        return sb.toString();
    }
}
