package io.mohge.distributed;

import io.mohge.bench.DistributedBench;
import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.mixture.ExpertTraining;
import io.mohge.train.GradientSource;

import java.io.IOException;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Work spread over a cluster. The optional Spark module ({@code trainer/spark}, jar {@code mohge-spark.jar})
 * provides it and is found through {@link ServiceLoader}: without that jar on the class path everything but
 * {@code --distributed} works, and about 120 MB of Spark and Scala jars stay off the class path.
 */
public interface DistributedRuntime {

    /** Data-parallel gradients for {@code train --distributed}: one task per worker and step. */
    GradientSource.Factory gradients();

    /** A mixture's selected experts as independent tasks, one per expert ({@code smalltalk train-experts --distributed}). */
    List<ExpertTraining.Outcome> trainExperts(RunConfig cfg, ExpertTraining.Options options) throws IOException;

    /**
     * The scale-out bench ({@code bench --distributed}). {@code configWith} builds the run config with extra
     * {@code --set} overrides; {@code log} gets one line per measured case.
     */
    List<DistributedBench.Figure> scaleOut(Function<List<String>, RunConfig> configWith, DistributedBench.Options options,
                                           Consumer<String> log) throws IOException;

    /** The runtime on the class path; a clear error when the Spark module is missing. */
    static DistributedRuntime load() {
        List<DistributedRuntime> found = ServiceLoader.load(DistributedRuntime.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        if (found.isEmpty()) {
            throw new BadInputException("--distributed needs the Spark module, which is not on the class path: "
                    + "build it (mvn -B -ntp -DskipTests package builds trainer/spark by default) and run through ./mohge, "
                    + "or add trainer/spark/target/mohge-spark.jar to the class path");
        }
        if (found.size() > 1) {
            throw new IllegalStateException("more than one distributed runtime on the class path: " + found);
        }
        return found.get(0);
    }
}
