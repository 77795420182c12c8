package io.mohge.spark;

import io.mohge.config.DistributedConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Creates the Spark context for data-parallel training: embedded local mode by default, loopback only. */
public final class SparkSupport {

    private SparkSupport() { }

    /**
     * Opens a context. Settings given by spark-submit (system properties {@code spark.*}) win over the config, so
     * the same jar runs embedded ({@code local[*]}) or on YARN / standalone clusters unchanged.
     */
    public static JavaSparkContext open(String appName, DistributedConfig config) {
        return open(appName, config, java.util.Map.of());
    }

    /** Opens a context with some settings that win over everything else (the scale-out bench sizes its apps so). */
    public static JavaSparkContext open(String appName, DistributedConfig config, java.util.Map<String, String> forced) {
        SparkConf conf = new SparkConf(true).setAppName(appName);
        forced.forEach(conf::set);
        conf.setIfMissing("spark.master", localWithRetries(config));
        boolean local = conf.get("spark.master").startsWith("local");
        if (local) {
            // Embedded mode talks to itself over loopback only.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        if (!local) {
            // the engine's SIMD kernels need the Vector API module on executors too (without it they use ND4J ops)
            conf.setIfMissing("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector");
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.task.maxFailures", Integer.toString(config.taskMaxFailures()));
        // Parameters and gradients travel as plain float[] (docs/engine.md: INDArray serialisation is 3-5x slower).
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.JavaSerializer");
        conf.setIfMissing("spark.driver.maxResultSize", "4g");
        if (config.aggregation() == DistributedConfig.Aggregation.SHARDED) {
            // every step's shuffle files (one gradient per worker) go once the driver's GC drops the step's RDDs;
            // gradients are incompressible floats, so lz4 would only cost time
            conf.setIfMissing("spark.cleaner.periodicGC.interval", "1min");
            conf.setIfMissing("spark.shuffle.compress", "false");
        }
        return new JavaSparkContext(conf);
    }

    /** local[*] becomes local[*,F] so that failed tasks are retried in local mode too. */
    static String localWithRetries(DistributedConfig config) {
        String m = config.master().trim();
        if (m.matches("local\\[(\\*|\\d+)]")) {
            return m.substring(0, m.length() - 1) + "," + config.taskMaxFailures() + "]";
        }
        if (m.equals("local")) return "local[1," + config.taskMaxFailures() + "]";
        return m;
    }
}
