package io.mohge.train;

import io.mohge.config.RunConfig;
import io.mohge.data.BatchSampler;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Transformer;

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
     * Creates the source of a run once its model and data are open.
     * {@code teacher} is the frozen original model of a self-distilling conversion, else null.
     */
    @FunctionalInterface
    interface Factory {
        GradientSource open(RunConfig cfg, Transformer model, Transformer teacher, ModelState state, BatchSampler sampler,
                            TokenDataset data) throws IOException;
    }
}
