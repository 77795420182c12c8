package io.mohge.spark;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.data.ShardLocation;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.mixture.ExpertTraining;
import io.mohge.mixture.MixtureLayout;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.reflect.ClassTag$;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The experts of a mixture as independent Spark tasks: one task per expert, all in one job, each running
 * {@link ExpertTraining#trainOne} (a whole training run in its executor). Nothing is broadcast or aggregated
 * between them; the driver only ships the resolved config and collects one line per expert. A task prefers the hosts
 * that store its expert's shards. A failed task is retried (distributed.task_max_failures) and continues from that
 * expert's newest checkpoint; the other experts are not touched.
 *
 * <p>On a cluster, {@code run.out_dir} must be a directory every executor can write (each expert writes its
 * checkpoints there) and {@code mixture.data_dir} a Hadoop URI (e.g. hdfs://).
 */
public final class SparkExperts {

    private SparkExperts() { }

    /** Trains the selected experts on a Spark context opened from the run's {@code distributed} section. */
    public static List<ExpertTraining.Outcome> run(RunConfig cfg, ExpertTraining.Options options) throws IOException {
        List<Integer> experts = ExpertTraining.selected(cfg, options);
        try (JavaSparkContext sc = SparkSupport.open("mohge-smalltalk-" + cfg.run().name(), cfg.distributed())) {
            return run(sc, cfg, experts, options.stopAfter());
        }
    }

    /** Trains {@code experts} on an existing context (tests); the caller closes it. */
    public static List<ExpertTraining.Outcome> run(JavaSparkContext sc, RunConfig cfg, List<Integer> experts, long stopAfter)
            throws IOException {
        MixtureLayout layout = MixtureLayout.of(cfg);
        List<Tuple2<Integer, Seq<String>>> tasks = new ArrayList<>();
        for (int r : experts) {
            tasks.add(new Tuple2<>(r, JavaConverters.asScalaBuffer(hosts(layout.expertData(r))).toSeq()));
        }
        return sc.sc().makeRDD(JavaConverters.asScalaBuffer(tasks).toSeq(), ClassTag$.MODULE$.apply(Integer.class))
                .toJavaRDD()
                .map(new Task(ConfigLoader.toYaml(cfg), stopAfter))
                .collect();
    }

    /** Hosts holding the expert's train shards, most blocks first. */
    private static List<String> hosts(String dir) throws IOException {
        List<String> hosts = new ArrayList<>();
        try (TokenDataset d = TokenDataset.open(dir, new Configuration())) {
            for (ShardLocation s : d.locations(Split.TRAIN)) for (String h : s.hosts()) if (!hosts.contains(h)) hosts.add(h);
        }
        return hosts;
    }

    /** One expert's training run, executed where Spark schedules it. */
    private static final class Task implements Function<Integer, ExpertTraining.Outcome> {
        private final String configYaml;
        private final long stopAfter;

        Task(String configYaml, long stopAfter) {
            this.configYaml = configYaml;
            this.stopAfter = stopAfter;
        }

        @Override
        public ExpertTraining.Outcome call(Integer expert) throws IOException {
            return ExpertTraining.trainOne(ConfigLoader.fromYaml(configYaml, "the mixture's run config"), expert,
                    false, stopAfter);
        }
    }
}
