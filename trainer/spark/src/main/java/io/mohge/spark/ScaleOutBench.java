package io.mohge.spark;

import io.mohge.bench.DistributedBench;
import io.mohge.config.DistributedConfig;
import io.mohge.config.RunConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Kernels;
import io.mohge.engine.Transformer;
import io.mohge.train.AdamW;
import io.mohge.train.GradClip;
import io.mohge.train.GradientSource;
import io.mohge.train.GradientStep;
import io.mohge.train.ModelState;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Measures the cases of {@link DistributedBench} on Spark: for each worker count one application with that many
 * single-core executors, and in it, for each model size and aggregation, whole optimizer steps exactly as the trainer
 * runs them ({@link SparkGradients}, then clipping, AdamW and the router-bias update on the driver). An application's
 * first case runs three times the warm-up steps: it also warms up the new executors' JIT.
 */
final class ScaleOutBench {

    private ScaleOutBench() { }

    /**
     * Runs every case. {@code configWith} builds the run config with extra {@code --set} overrides (the base config
     * gives data, losses and seed; the size, worker count and aggregation are set here).
     */
    static List<DistributedBench.Figure> run(Function<List<String>, RunConfig> configWith, DistributedBench.Options o, Consumer<String> log)
            throws IOException {
        Prepare.prepare(configWith.apply(List.of()).data(), new Configuration());
        List<DistributedBench.Figure> out = new ArrayList<>();
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
                for (DistributedBench.Size size : o.sizes()) {
                    for (DistributedConfig.Aggregation agg : o.aggregations()) {
                        List<String> s = new ArrayList<>(size.sets());
                        s.addAll(List.of("distributed.workers=" + w, "distributed.aggregation=" + agg.name().toLowerCase(Locale.ROOT),
                                "trainer.batch_size=" + o.batchSize(), "trainer.grad_accum=1", "model.seq_len=" + o.seqLen()));
                        RunConfig cfg = configWith.apply(s);
                        // the application's first case also warms up the new executors' JIT: 3x the warm-up steps
                        int warmup = out.size() == first ? 3 * o.warmup() : o.warmup();
                        DistributedBench.Figure f = measure(sc, counter, cfg, size.label(), executors, warmup, o.steps());
                        log.accept(DistributedBench.row(f).strip());
                        out.add(f);
                    }
                }
            }
        }
        return out;
    }

    private static DistributedBench.Figure measure(JavaSparkContext sc, TransferCounter counter, RunConfig cfg, String label,
                                  int executors, int warmup, int timed) throws IOException {
        Kernels kernels = Kernels.forType(DataType.FLOAT);
        Transformer model = Transformer.create(cfg.model(), cfg.losses(), cfg.run().seed(), DataType.FLOAT);
        ModelState state = new ModelState(model.params());
        AdamW optimizer = new AdamW(cfg.trainer(), state, kernels);
        int w = cfg.distributed().workers();
        String agg = cfg.distributed().aggregation().name().toLowerCase(Locale.ROOT);
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), new Configuration())) {
            BatchSampler sampler = data.trainSampler(cfg.model().seqLen(), cfg.run().seed(), 0, 1);
            try (SparkGradients source = (SparkGradients) SparkGradients.factory(sc).open(GradientSource.Spec.of(cfg), model, null, state, sampler, data)) {
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
                return new DistributedBench.Figure(label, state.parameterCount(), w, cfg.distributed().aggregation(), sc.master(),
                        (long) w * cfg.trainer().batchSize() * cfg.model().seqLen(), DistributedBench.median(ms[0]), DistributedBench.median(ms[1]), DistributedBench.median(ms[2]), DistributedBench.median(ms[3]), DistributedBench.median(ms[4]),
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

}
