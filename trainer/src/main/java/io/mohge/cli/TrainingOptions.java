package io.mohge.cli;

import io.mohge.spark.SparkGradients;
import io.mohge.train.GradientSource;
import io.mohge.train.LocalGradients;
import picocli.CommandLine.Option;

/** How runs are trained, shared by {@code train} and {@code ablate}. */
final class TrainingOptions {

    /** EX_TEMPFAIL: checkpointed to release memory; the launcher runs the command again, which continues it. */
    static final int EXIT_RESTART = 75;

    @Option(names = "--distributed", description = "Data-parallel training on Apache Spark (section distributed: "
            + "embedded local[*] by default; under spark-submit the cluster's master).")
    boolean distributed;

    @Option(names = "--no-progress", description = "No console progress bar (e.g. in logs of batch jobs).")
    boolean noProgress;

    @Option(names = "--restart-above-gb", paramLabel = "GB", defaultValue = "${sys:mohge.restartAboveGb:-0}",
            description = "Checkpoint and exit with code 75 when resident memory passes GB gigabytes, so that the "
                    + "launcher continues in a fresh JVM (works around a native memory leak of ND4J with "
                    + "routing-dependent shapes; resume is exact). The mohge launcher sets it; 0 = never.")
    double restartAboveGb;

    GradientSource.Factory gradients() {
        return distributed ? SparkGradients.factory() : LocalGradients::new;
    }

    boolean progressBar() {
        return !noProgress;
    }

    long restartAboveBytes() {
        if (restartAboveGb < 0) throw new IllegalArgumentException("--restart-above-gb must be 0 (never) or positive");
        return (long) (restartAboveGb * 1e9);
    }
}
