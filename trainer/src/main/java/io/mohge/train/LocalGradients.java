package io.mohge.train;

import io.mohge.data.BatchSampler;
import io.mohge.engine.Transformer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Single-process gradients: grad_accum micro-batches of batch_size windows, computed in this JVM. */
public final class LocalGradients implements GradientSource {

    private final BatchSampler sampler;
    private final GradientStep step;
    private final int batchSize;
    private final int gradAccum;

    public LocalGradients(Spec spec, Transformer model, Transformer teacher, ModelState state, BatchSampler sampler,
                          io.mohge.data.TokenDataset data) {
        this.sampler = sampler;
        this.step = new GradientStep(model, teacher, spec.seed());
        this.batchSize = spec.trainer().batchSize();
        this.gradAccum = spec.trainer().gradAccum();
    }

    @Override
    public GradientStep.Result next(double groupAuxScale) throws IOException {
        List<int[][]> micro = new ArrayList<>();
        for (int a = 0; a < gradAccum; a++) micro.add(sampler.next(batchSize));
        return step.compute(micro, groupAuxScale);
    }
}
