package io.mohge.spark;

import io.mohge.config.BadInputException;
import io.mohge.config.DistributedConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.ShardLocation;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Transformer;
import io.mohge.train.GradientSource;
import io.mohge.train.GradientSource.Spec;
import io.mohge.train.GradientStep;
import io.mohge.train.ModelState;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Data-parallel gradients on Apache Spark. Per optimizer step the driver
 * <ol>
 *   <li>draws the global batch, {@code workers x grad_accum x batch_size} windows, from the run's sampler (the same
 *       stream a single process would read) and gives worker w its contiguous slice, so W workers x batch b see
 *       exactly the windows of 1 worker x batch W*b;</li>
 *   <li>broadcasts the parameters and router biases as plain float[];</li>
 *   <li>runs one task per worker; each task prefers the hosts that store the HDFS blocks of its windows
 *       (data locality) and reads them with positioned reads;</li>
 *   <li>sums the workers' gradient, loss and routing-count sums with treeAggregate and divides by the number of
 *       micro-batches: the global average the optimizer then applies on the driver.</li>
 * </ol>
 * With {@code distributed.aggregation: sharded} the sums are taken block by block on the executors instead
 * ({@link ShardedAggregation}), and the driver receives one summed gradient instead of one per worker.
 * A failed task is retried by Spark (spark.task.maxFailures = distributed.task_max_failures) on the same inputs.
 */
public final class SparkGradients implements GradientSource {

    private static final Logger LOG = LoggerFactory.getLogger(SparkGradients.class);

    private final JavaSparkContext sc;
    private final boolean ownsContext;
    private final DistributedConfig dist;
    private final Broadcast<Worker.Job> job;
    private final BatchSampler sampler;
    private final FlatParams flat;
    private final List<ShardLocation> shards;
    private final long[] shardStarts;
    private final int batchSize;
    private final int gradAccum;
    private long step;
    private StepTimings last;
    private final Worker.Fault fault;

    private SparkGradients(JavaSparkContext sc, boolean ownsContext, Spec spec, Transformer model,
                           BatchSampler sampler, TokenDataset data, Worker.Fault fault) throws IOException {
        this.sc = sc;
        this.fault = fault;
        this.ownsContext = ownsContext;
        this.dist = spec.distributed();
        // data.dir as the dataset's qualified URI: an executor's working directory is not the driver's
        this.job = sc.broadcast(new Worker.Job(spec.model(), spec.losses(), spec.seed(), data.dir()));
        this.sampler = sampler;
        this.flat = new FlatParams(model.params());
        this.shards = data.locations(Split.TRAIN);
        this.shardStarts = new long[shards.size()];
        for (int i = 0; i < shardStarts.length; i++) shardStarts[i] = data.shardStart(Split.TRAIN, i);
        this.batchSize = spec.trainer().batchSize();
        this.gradAccum = spec.trainer().gradAccum();
        LOG.info("data-parallel training on {} ({} workers x {} micro-batches x {} sequences per step)",
                sc.master(), dist.workers(), gradAccum, batchSize);
    }

    /**
     * Serialised size of one step's broadcast (parameters and router state) in bytes: what every executor fetches
     * per step. Serialises it once, so call it outside timed code.
     */
    public long broadcastBytes() {
        Worker.StepInputs in = new Worker.StepInputs(step, flat.params(), flat.state(), 1.0);
        return SparkEnv.get().serializer().newInstance()
                .serialize(in, ClassTag$.MODULE$.apply(Worker.StepInputs.class)).remaining();
    }

    /** A factory that opens its own Spark context from the run's {@code distributed} section. */
    public static GradientSource.Factory factory() {
        return (spec, model, teacher, state, sampler, data) -> {
            refuseTeacher(teacher);
            JavaSparkContext sc = SparkSupport.open("mohge-" + spec.runName(), spec.distributed());
            try {
                return new SparkGradients(sc, true, spec, model, sampler, data, Worker.Fault.NONE);
            } catch (IOException | RuntimeException e) {
                sc.close();
                throw e;
            }
        };
    }

    /** A factory that uses an existing context (tests, notebooks); the caller closes it. */
    public static GradientSource.Factory factory(JavaSparkContext sc) {
        return factory(sc, Worker.Fault.NONE);
    }

    /** As {@link #factory(JavaSparkContext)}, with every task first calling {@code fault} (tests inject failures). */
    static GradientSource.Factory factory(JavaSparkContext sc, Worker.Fault fault) {
        return (spec, model, teacher, state, sampler, data) -> {
            refuseTeacher(teacher);
            return new SparkGradients(sc, false, spec, model, sampler, data, fault);
        };
    }

    private static void refuseTeacher(Transformer teacher) {
        if (teacher != null) {
            throw new BadInputException("losses.distill_coef: self-distillation runs in one process (the Spark "
                    + "workers hold no teacher model); train the conversion without --distributed");
        }
    }

    @Override
    public GradientStep.Result next(double groupAuxScale) {
        step++;
        long t0 = System.nanoTime();
        int workers = dist.workers();
        long[] global = sampler.nextWindows(workers * gradAccum * batchSize);
        List<Tuple2<Worker.Task, Seq<String>>> tasks = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            long[][] micro = new long[gradAccum][];
            for (int a = 0; a < gradAccum; a++) {
                int from = (w * gradAccum + a) * batchSize;
                micro[a] = Arrays.copyOfRange(global, from, from + batchSize);
            }
            Worker.Task task = new Worker.Task(w, micro);
            tasks.add(new Tuple2<>(task, JavaConverters.asScalaBuffer(preferredHosts(micro)).toSeq()));
        }
        Broadcast<Worker.StepInputs> inputs = sc.broadcast(
                new Worker.StepInputs(step, flat.params(), flat.state(), groupAuxScale));
        long t1 = System.nanoTime();
        try {
            JavaRDD<Worker.Task> rdd = sc.sc().makeRDD(JavaConverters.asScalaBuffer(tasks).toSeq(),
                    ClassTag$.MODULE$.apply(Worker.Task.class)).toJavaRDD();
            Broadcast<Worker.Job> job = this.job;
            Worker.Fault fault = this.fault;
            WorkerResult stats;
            float[] gradSum;
            if (dist.aggregation() == DistributedConfig.Aggregation.SHARDED) {
                GradientBlocks blocks = new GradientBlocks(flat.size(), dist.blocksFor(flat.size()));
                ShardedAggregation.Total total = ShardedAggregation.aggregate(rdd.flatMapToPair(task ->
                        ShardedAggregation.pieces(Worker.run(job, inputs, task, fault), task.worker(), blocks).iterator()), blocks);
                stats = total.stats();
                gradSum = total.gradSum();
            } else {
                stats = rdd.map(task -> Worker.run(job, inputs, task, fault))
                        .treeAggregate(WorkerResult.empty(), WorkerResult::merge, WorkerResult::merge,
                                dist.aggregationDepth());
                gradSum = stats.gradSum;
            }
            GradientStep.Result result = stats.toResult(flat, gradSum);
            long t2 = System.nanoTime();
            long work = stats.fetchNanos + stats.computeNanos;
            last = new StepTimings(t1 - t0 + stats.fetchNanos, stats.computeNanos, Math.max(0, t2 - t1 - work), t2 - t0);
            return result;
        } finally {
            inputs.destroy();
        }
    }

    /** Where the time of the last step went (for the scale-out benchmark); null before the first step. */
    public StepTimings lastTimings() {
        return last;
    }

    /** Hosts holding the shards of these windows, the most-used shard's hosts first. */
    private List<String> preferredHosts(long[][] micro) {
        Map<Integer, Integer> uses = new LinkedHashMap<>();
        for (long[] windows : micro) {
            for (long start : windows) {
                int shard = Arrays.binarySearch(shardStarts, start);
                if (shard < 0) shard = -shard - 2;
                uses.merge(shard, 1, Integer::sum);
            }
        }
        List<String> hosts = new ArrayList<>();
        uses.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(e -> {
            for (String h : shards.get(e.getKey()).hosts()) if (!hosts.contains(h)) hosts.add(h);
        });
        return hosts;
    }

    @Override
    public void close() {
        job.destroy();
        if (ownsContext) sc.close();
    }
}
