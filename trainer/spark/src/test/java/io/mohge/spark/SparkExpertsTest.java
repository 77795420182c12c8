package io.mohge.spark;

import io.mohge.config.DistributedConfig;
import io.mohge.config.RunConfig;
import io.mohge.mixture.ExpertTraining;
import io.mohge.mixture.Members;
import io.mohge.mixture.MixtureLayout;
import io.mohge.mixture.RouterEm;
import io.mohge.mixture.TinyMixture;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A mixture's experts as parallel Spark tasks give exactly the experts trained one after another in one JVM. */
class SparkExpertsTest {

    @TempDir
    Path dir;

    @Test
    void expertsAsParallelSparkTasksEqualExpertsTrainedOneAfterAnother() throws IOException {
        Path corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        RouterEm.run(config(corpus, "routed"), new RouterEm.Options(false, false, 0));
        TinyMixture.copyTree(dir.resolve("routed"), dir.resolve("local"));
        TinyMixture.copyTree(dir.resolve("routed"), dir.resolve("spark"));
        RunConfig local = config(corpus, "local");
        RunConfig spark = config(corpus, "spark");

        ExpertTraining.runLocal(local, new ExpertTraining.Options(false, false, 0, List.of()));
        try (JavaSparkContext sc = SparkSupport.open("smalltalk-experts-test", new DistributedConfig("local[2]", 2, 2, 2))) {
            List<ExpertTraining.Outcome> out = SparkExperts.run(sc, spark, List.of(0, 1), 0);
            assertEquals(List.of(0, 1), out.stream().map(ExpertTraining.Outcome::expert).toList());
            assertEquals(List.of("COMPLETED", "COMPLETED"), out.stream().map(ExpertTraining.Outcome::stop).toList());
        }
        for (int r = 0; r < 2; r++) assertEquals(expert(local, r).params(), expert(spark, r).params(), "expert " + r);
    }

    private RunConfig config(Path corpus, String name) throws IOException {
        return TinyMixture.config(corpus, dir.resolve("source-data"), dir.resolve(name));
    }

    private static Checkpoint expert(RunConfig cfg, int r) throws IOException {
        return CheckpointStore.load(Trainer.latestCheckpoint(Members.expert(cfg, MixtureLayout.of(cfg), r)).orElseThrow());
    }
}
