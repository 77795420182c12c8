package io.mohge.train;

import io.mohge.config.DistributedConfig;
import io.mohge.config.RunConfig;
import io.mohge.config.TrainerConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;

import java.util.Objects;

import java.io.IOException;

/**
 * Where the gradients of one optimizer step come from: this JVM ({@link LocalGradients}) or data-parallel
 * workers (the Spark trainer). The training loop owns the model, the optimizer and the sampler; a source only
 * turns the next global batch into averaged gradients, loss terms and routing counts, for the model's current
 * parameters and router biases. Keeping this behind one interface keeps parallelism out of the model and out
 * of the loop.
 */
public interface GradientSource extends AutoCloseable {

    /** Draws the next global batch from the run's sampler and computes its gradients. */
    GradientStep.Result next(double groupAuxScale) throws IOException;

    @Override
    default void close() { }

    /**
     * What a source needs to know of the run: its name (for logs and Spark's application name), its seed, the model
     * and loss settings (workers rebuild the model from them), the trainer's batch shape and, for data-parallel
     * sources, the {@code distributed} section.
     */
    record Spec(String runName, long seed, ModelConfig model, LossConfig losses, TrainerConfig trainer,
                DistributedConfig distributed) {
        public Spec {
            Objects.requireNonNull(runName, "runName");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(losses, "losses");
            Objects.requireNonNull(trainer, "trainer");
            Objects.requireNonNull(distributed, "distributed");
        }

        /** The spec of a run. */
        public static Spec of(RunConfig cfg) {
            return new Spec(cfg.run().name(), cfg.run().seed(), cfg.model(), cfg.losses(), cfg.trainer(),
                    cfg.distributed());
        }
    }

    /**
     * Creates the source of a run once its model and data are open.
     * {@code teacher} is the frozen original model of a self-distilling conversion, else null.
     */
    @FunctionalInterface
    interface Factory {
        GradientSource open(Spec spec, Transformer model, Transformer teacher, ModelState state, BatchSampler sampler,
                            TokenDataset data) throws IOException;
    }
}
