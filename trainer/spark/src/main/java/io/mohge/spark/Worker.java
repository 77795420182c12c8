package io.mohge.spark;

import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;
import io.mohge.train.GradientStep;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The executor side of data-parallel training: one Spark task computes the gradient of one worker's slice of the
 * global batch for the parameters broadcast by the driver. A task is a pure function of (parameters, router
 * biases, windows), so Spark can retry a failed task on any executor and get the same result.
 *
 * <p>Each executor JVM keeps built models (with their preallocated buffers and open data readers) for the run it
 * serves ({@link ModelPool}: bounded by the tasks that ran at once, the previous run's models closed when another
 * run's task arrives); a model is not thread-safe, so concurrent tasks of one executor borrow different models.
 */
final class Worker {

    /**
     * Called at the start of every task with its step and attempt number: the seam through which tests make task
     * attempts fail (Spark must then retry them). Shipped to the executors inside the task's closure.
     */
    @FunctionalInterface
    interface Fault extends Serializable {
        Fault NONE = (step, attempt) -> { };

        void beforeTask(long step, int attempt);
    }

    /**
     * What an executor builds its model from, broadcast once per run: the model and loss settings, the seed and the
     * dataset's qualified URI. Runs with equal jobs share the executors' pooled models.
     */
    record Job(ModelConfig model, LossConfig losses, long seed, String dataDir) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** What every task of one step needs besides its windows: the broadcast part. */
    record StepInputs(long step, float[] params, float[] routerState, double groupAuxScale) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** One task: the worker's index and its micro-batches as window start offsets in the train stream. */
    record Task(int worker, long[][] microBatchWindows) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A built model with its data reader, borrowed by one task at a time. */
    private record Model(FlatParams flat, GradientStep step, TokenDataset data, int seqLen) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            data.close();
        }
    }

    /** This executor JVM's models, for the run it currently serves (bounded; see {@link ModelPool}). */
    private static final ModelPool<Job, Model> POOL = new ModelPool<>();

    private Worker() { }

    /**
     * Runs one task: gets the step's inputs from their broadcast (the first task of an executor fetches them), loads
     * them into a pooled model and computes the gradient of the task's windows. Records how long the fetch and the
     * compute took.
     */
    static WorkerResult run(Broadcast<Job> jobs, Broadcast<StepInputs> inputs, Task task, Fault fault)
            throws IOException {
        Job job = jobs.value();
        Model m = POOL.borrow(job, Worker::build);
        try {
            long t0 = System.nanoTime();
            StepInputs in = inputs.value();
            TaskContext ctx = TaskContext.get();
            fault.beforeTask(in.step(), ctx == null ? 0 : ctx.attemptNumber());
            m.flat().assignParams(in.params());
            m.flat().assignState(in.routerState());
            long t1 = System.nanoTime();
            List<int[][]> micro = new ArrayList<>();
            for (long[] windows : task.microBatchWindows()) {
                int[][] batch = new int[windows.length][];
                for (int b = 0; b < windows.length; b++) batch[b] = m.data().read(Split.TRAIN, windows[b], m.seqLen() + 1);
                micro.add(batch);
            }
            GradientStep.Result r = m.step().compute(micro, in.groupAuxScale());
            float[] grads = FlatParams.grads(r.grads());
            long t2 = System.nanoTime();
            return WorkerResult.of(r, grads, micro.size(), t1 - t0, t2 - t1);
        } finally {
            POOL.giveBack(job, m);
        }
    }

    private static Model build(Job job) {
        Transformer model = Transformer.create(job.model(), job.losses(), job.seed(), DataType.FLOAT);
        try {
            // new Configuration() picks up the cluster's HADOOP_CONF_DIR on executors
            TokenDataset data = TokenDataset.open(job.dataDir(), new Configuration());
            return new Model(new FlatParams(model.params()), new GradientStep(model, job.seed()), data,
                    job.model().seqLen());
        } catch (IOException e) {
            throw new UncheckedIOException("executor cannot open data.dir " + job.dataDir(), e);
        }
    }
}
