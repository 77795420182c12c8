package io.mohge.cli;

import io.mohge.distributed.DistributedRuntime;
import io.mohge.train.GradientSource;
import io.mohge.train.LocalGradients;
import picocli.CommandLine.Option;

/** How runs are trained, shared by {@code train} and {@code ablate}. */
final class TrainingOptions {

    @Option(names = "--distributed", description = "Data-parallel training on Apache Spark (section distributed: "
            + "embedded local[*] by default; under spark-submit the cluster's master).")
    boolean distributed;

    @Option(names = "--no-progress", description = "No console progress bar (e.g. in logs of batch jobs).")
    boolean noProgress;

    GradientSource.Factory gradients() {
        return distributed ? DistributedRuntime.load().gradients() : LocalGradients::new;
    }

    boolean progressBar() {
        return !noProgress;
    }
}
