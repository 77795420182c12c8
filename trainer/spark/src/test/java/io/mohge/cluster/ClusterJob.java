package io.mohge.cluster;

import io.mohge.train.MetricsLog;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A training job submitted to the local cluster the way a user submits it: the cluster's bin/spark-submit with
 * {@code --master spark://...}, the application jar and --jars, the driver in this machine's process (client mode).
 */
final class ClusterJob implements AutoCloseable {

    private static final Pattern APP_ID = Pattern.compile("app-\\d{14}-\\d{4}");

    private final Process process;
    private final Path runDir;
    private final Path log;

    private ClusterJob(Process process, Path runDir, Path log) {
        this.process = process;
        this.runDir = runDir;
        this.log = log;
    }

    /** spark-submit ... mohge-spark.jar train --distributed {@code trainArgs}; output goes to {@code runDir}.log. */
    static ClusterJob submit(LocalCluster cluster, Path runDir, Path scratch, List<String> trainArgs) throws IOException {
        ClusterLayout l = cluster.layout();
        List<String> cmd = new ArrayList<>(List.of(l.sparkSubmit().toString(),
                "--master", cluster.masterUrl(), "--class", "io.mohge.cli.Main",
                "--driver-memory", "1g", "--driver-java-options", "--add-modules=jdk.incubator.vector",
                "--total-executor-cores", "2", "--executor-cores", "1", "--executor-memory", "1g",
                "--jars", l.appJars().stream().map(Path::toString).collect(Collectors.joining(",")),
                l.appJar().toString(), "train", "--distributed", "--no-progress"));
        cmd.addAll(trainArgs);
        Path log = runDir.resolveSibling(runDir.getFileName() + ".log");
        Files.createDirectories(runDir.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putAll(cluster.clientEnv());
        pb.environment().put("SPARK_LOCAL_DIRS", scratch.toString());
        return new ClusterJob(pb.start(), runDir, log);
    }

    /** The driver: spark-submit execs the JVM Spark's launcher built, so this is the SparkSubmit JVM itself. */
    ProcessHandle driver() {
        return process.toHandle();
    }

    Path log() {
        return log;
    }

    /** Waits until metrics.csv holds {@code rows} steps; fails if the job ends first or time runs out. */
    void awaitSteps(int rows, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (losses().size() < rows) {
            if (!process.isAlive()) throw new AssertionError("job ended (exit " + process.exitValue() + ") before step " + rows + "; " + tail());
            if (System.nanoTime() > deadline) throw new AssertionError("no step " + rows + " after " + timeout + "; " + tail());
            Thread.sleep(200);
        }
    }

    /** Waits for the driver to exit and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("job still running after " + timeout + "; " + tail());
        }
        return process.exitValue();
    }

    /** The loss of every step logged so far (metrics.csv with log_every = 1), in step order. */
    List<Double> losses() throws IOException {
        Path csv = runDir.resolve(MetricsLog.CSV);
        if (!Files.exists(csv) || Files.size(csv) == 0) return List.of(); // the header is flushed with the first row
        List<Double> out = new ArrayList<>();
        for (Map<String, Double> row : MetricsLog.readCsv(csv)) {
            if (row.get(MetricsLog.STEP) != out.size() + 1) throw new AssertionError("metrics rows out of order: " + row);
            out.add(row.get("loss"));
        }
        return out;
    }

    /** The Spark application id of this run (from the driver's log). */
    Optional<String> appId() throws IOException {
        Matcher m = APP_ID.matcher(Files.readString(log, StandardCharsets.UTF_8));
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    /** The executors' stderr files of this run, across the cluster's workers. */
    List<Path> executorLogs(LocalCluster cluster) throws IOException {
        String app = appId().orElseThrow(() -> new AssertionError("no application id in " + log));
        List<Path> out = new ArrayList<>();
        for (String w : cluster.daemonNames()) {
            Path dir = cluster.layout().workerDir(w).resolve(app);
            if (!Files.isDirectory(dir)) continue;
            try (var s = Files.walk(dir)) {
                s.filter(p -> p.getFileName().toString().equals("stderr")).forEach(out::add);
            }
        }
        return out;
    }

    String tail() throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return "driver log " + log + ", last lines:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
