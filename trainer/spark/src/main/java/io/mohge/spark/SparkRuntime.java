package io.mohge.spark;

import io.mohge.bench.DistributedBench;
import io.mohge.config.RunConfig;
import io.mohge.distributed.DistributedRuntime;
import io.mohge.mixture.ExpertTraining;
import io.mohge.train.GradientSource;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The Spark module's {@link DistributedRuntime}, registered in META-INF/services. */
public final class SparkRuntime implements DistributedRuntime {

    @Override
    public GradientSource.Factory gradients() {
        return SparkGradients.factory();
    }

    @Override
    public List<ExpertTraining.Outcome> trainExperts(RunConfig cfg, ExpertTraining.Options options) throws IOException {
        return SparkExperts.run(cfg, options);
    }

    @Override
    public List<DistributedBench.Figure> scaleOut(Function<List<String>, RunConfig> configWith,
                                                  DistributedBench.Options options, Consumer<String> log) throws IOException {
        return ScaleOutBench.run(configWith, options, log);
    }

    @Override
    public String toString() {
        return "Spark (" + getClass().getName() + ")";
    }
}
