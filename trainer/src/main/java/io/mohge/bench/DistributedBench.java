package io.mohge.bench;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Kernels;
import io.mohge.engine.Transformer;
import io.mohge.config.DistributedConfig;
import io.mohge.spark.SparkGradients;
import io.mohge.spark.SparkSupport;
import io.mohge.spark.StepTimings;
import io.mohge.train.AdamW;
import io.mohge.train.GradClip;
import io.mohge.train.GradientStep;
import io.mohge.train.ModelState;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Scale-out of data-parallel training: for each worker count one Spark application with that many single-core
 * executors, and in it, for each model size and aggregation, whole optimizer steps exactly as the trainer runs them
 * ({@link SparkGradients}, then clipping, AdamW and the router-bias update on the driver). Every step's wall time is
 * split into broadcast, worker compute, aggregation and driver update; bytes are what Spark reports (task results,
 * shuffle reads) plus the serialised broadcast times the executors that fetch it. Figures are medians over the
 * timed steps, after untimed warm-up steps (three times as many for an application's first case, which also warms up
 * the new executors' JIT). Each worker reads {@code batch_size} windows of {@code seq_len} tokens, so the global batch grows with
 * the worker count (weak scaling).
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

    /**
     * Runs every case. {@code configWith} builds the run config with extra {@code --set} overrides (the base config
     * gives data, losses and seed; the size, worker count and aggregation are set here).
     */
    public static List<Figure> run(Function<List<String>, RunConfig> configWith, Options o, Consumer<String> log)
            throws IOException {
        Prepare.prepare(configWith.apply(List.of()).data(), new Configuration());
        List<Figure> out = new ArrayList<>();
        for (int w : o.workers()) {
            DistributedConfig dist = new DistributedConfig("local[" + w + "]", w, 1, 2,
                    DistributedConfig.Aggregation.SHARDED, 0);
            Map<String, String> forced = Map.of("spark.cores.max", Integer.toString(w), "spark.executor.cores", "1",
                    "spark.task.maxFailures", "1");
            try (JavaSparkContext sc = SparkSupport.open("mohge-bench-" + w + "-workers", dist, forced)) {
                TransferCounter counter = new TransferCounter();
                sc.sc().addSparkListener(counter);
                int executors = awaitExecutors(sc, w, log);
                int first = out.size();
                for (Size size : o.sizes()) {
                    for (DistributedConfig.Aggregation agg : o.aggregations()) {
                        List<String> s = new ArrayList<>(size.sets());
                        s.addAll(List.of("distributed.workers=" + w, "distributed.aggregation=" + agg.name().toLowerCase(Locale.ROOT),
                                "trainer.batch_size=" + o.batchSize(), "trainer.grad_accum=1", "model.seq_len=" + o.seqLen()));
                        RunConfig cfg = configWith.apply(s);
                        // the application's first case also warms up the new executors' JIT: 3x the warm-up steps
                        int warmup = out.size() == first ? 3 * o.warmup() : o.warmup();
                        Figure f = measure(sc, counter, cfg, size.label(), executors, warmup, o.steps());
                        log.accept(row(f).strip());
                        out.add(f);
                    }
                }
            }
        }
        return out;
    }

    private static Figure measure(JavaSparkContext sc, TransferCounter counter, RunConfig cfg, String label,
                                  int executors, int warmup, int timed) throws IOException {
        Kernels kernels = Kernels.forType(DataType.FLOAT);
        Transformer model = Transformer.create(cfg.model(), cfg.losses(), cfg.run().seed(), DataType.FLOAT);
        ModelState state = new ModelState(model.params());
        AdamW optimizer = new AdamW(cfg.trainer(), state, kernels);
        int w = cfg.distributed().workers();
        String agg = cfg.distributed().aggregation().name().toLowerCase(Locale.ROOT);
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), new Configuration())) {
            BatchSampler sampler = data.trainSampler(cfg.model().seqLen(), cfg.run().seed(), 0, 1);
            try (SparkGradients source = (SparkGradients) SparkGradients.factory(sc).open(cfg, model, null, state, sampler, data)) {
                long broadcast = source.broadcastBytes();
                boolean local = sc.master().startsWith("local"); // one JVM: the broadcast is not transferred
                double[][] ms = new double[5][timed];
                long results = 0;
                long shuffle = 0;
                for (int i = 0; i < warmup + timed; i++) {
                    String group = "bench-" + label + "-" + w + "-" + agg + "-" + i;
                    sc.setJobGroup(group, group, false);
                    GradientStep.Result r = source.next(1.0);
                    long u0 = System.nanoTime();
                    GradClip.clip(kernels, r.grads(), cfg.trainer().clipNorm());
                    optimizer.update(r.grads(), cfg.trainer().lr());
                    model.updateRouterBiases(r.tokensPerExpert());
                    long update = System.nanoTime() - u0;
                    sc.clearJobGroup();
                    if (i < warmup) continue;
                    int k = i - warmup;
                    StepTimings t = source.lastTimings();
                    ms[0][k] = (t.totalNanos() + update) / 1e6;
                    ms[1][k] = t.broadcastNanos() / 1e6;
                    ms[2][k] = t.computeNanos() / 1e6;
                    ms[3][k] = t.aggregateNanos() / 1e6;
                    ms[4][k] = update / 1e6;
                    TransferCounter.Bytes b = counter.totals(sc, group);
                    results += b.results();
                    shuffle += b.shuffleRead();
                }
                return new Figure(label, state.parameterCount(), w, cfg.distributed().aggregation(), sc.master(),
                        (long) w * cfg.trainer().batchSize() * cfg.model().seqLen(), median(ms[0]), median(ms[1]), median(ms[2]), median(ms[3]), median(ms[4]),
                        local ? 0 : broadcast * Math.min(w, executors), results / timed, shuffle / timed);
            }
        }
    }

    /** Waits until the application has its executors (local mode: the driver is the executor). */
    private static int awaitExecutors(JavaSparkContext sc, int wanted, Consumer<String> log) {
        if (sc.master().startsWith("local")) return 1;
        long deadline = System.nanoTime() + 180_000_000_000L;
        int have;
        while ((have = sc.sc().statusTracker().getExecutorInfos().length - 1) < wanted) { // the driver is listed too
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + have + " of " + wanted + " executors registered within 180 s; "
                        + "the cluster needs " + wanted + " free cores and the executor memory for each");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
        }
        log.accept(sc.master() + ": " + have + " executors for " + wanted + " workers");
        return have;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** One figure as a row of {@link #table}. */
    static String row(Figure f) {
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
