package io.mohge.cluster;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data-parallel training on a real pseudo-distributed cluster: every daemon (NameNode, 2 DataNodes, Spark master,
 * 2 workers), every executor and every driver is its own process, started by {@link LocalCluster} and stopped by it
 * at the end, also when a test fails (and from a shutdown hook if the test JVM is stopped). The jobs are submitted
 * with the cluster's spark-submit; the built-in corpus is prepared onto the cluster's HDFS once. Failures are kill -9.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ClusterIT {

    static final int STEPS = 16;
    static final Duration JOB_TIMEOUT = Duration.ofMinutes(10);

    /**
     * A fixed place (not a temporary directory), so that .ci/run can stop the daemons with {@code mohge cluster down}
     * even when this JVM was killed, and the logs stay for a look after a failure.
     */
    static final Path BASE = Path.of("target", "cluster-it").toAbsolutePath();
    static Path base;

    static LocalCluster cluster;
    static Thread stopOnExit;
    static String data;
    static List<Double> reference;
    static List<Path> referenceExecutorLogs;

    @BeforeAll
    static void startClusterAndPrepareTheCorpus() throws Exception {
        Path repo = Path.of("..", "..").toAbsolutePath().normalize();
        ClusterDaemons.WorkerResources resources = new ClusterDaemons.WorkerResources(2, "4g");
        if (Files.isDirectory(BASE.resolve("cluster"))) {
            // a previous run that was killed: stop what its pid files record (pid, start time and class must match)
            LocalCluster.open(new ClusterLayout(BASE.resolve("cluster"), repo), resources).down();
        }
        deleteTree(BASE);
        base = Files.createDirectories(BASE);
        cluster = LocalCluster.open(new ClusterLayout(base.resolve("cluster"), repo), resources);
        stopOnExit = new Thread(ClusterIT::stopQuietly, "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        cluster.up(Duration.ofMinutes(4), System.out::println);
        data = cluster.hdfsUri() + "/data/europarl-byte";
        prepare();
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (cluster == null) return;
        List<Long> pids = new ArrayList<>();
        for (String d : cluster.daemonNames()) cluster.running(d).ifPresent(pids::add);
        cluster.down();
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        for (long pid : pids) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "daemon pid " + pid + " still runs");
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static void stopQuietly() {
        try {
            cluster.down();
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the local cluster: " + e);
        }
    }

    /** {@code mohge prepare} as a user runs it against the cluster: HADOOP_CONF_DIR (replication 2) on the class path. */
    private static void prepare() throws Exception {
        ClusterLayout l = cluster.layout();
        Path log = base.resolve("prepare.log");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-Xmx1g", "-cp", l.hadoopClientConf() + ":" + l.appJar(),
                "io.mohge.cli.Main", "prepare", "--config", config().toString(), "--set", "data.dir=" + data)
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "prepare finished");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }

    private static Path config() {
        return Path.of("..", "..", "configs", "mohge-tiny.yaml").toAbsolutePath().normalize();
    }

    private static ClusterJob submit(String name, String... extra) throws IOException {
        Path run = base.resolve("runs").resolve(name);
        List<String> args = new ArrayList<>(List.of("--config", config().toString(),
                "--set", "data.dir=" + data, "--set", "run.out_dir=" + run,
                "--set", "model.d_model=64", "--set", "model.n_heads=2", "--set", "model.seq_len=64",
                "--set", "model.mohge.widths=[32,48,64,80]",
                "--set", "trainer.steps=" + STEPS, "--set", "trainer.warmup_steps=2", "--set", "trainer.batch_size=4",
                "--set", "trainer.log_every=1", "--set", "trainer.eval_every=1000", "--set", "trainer.eval_batches=1",
                "--set", "trainer.checkpoint_every=4", "--set", "export.on_finish=false",
                "--set", "distributed.workers=2"));
        args.addAll(List.of(extra));
        Path scratch = base.resolve("scratch").resolve(name);
        Files.createDirectories(scratch);
        return ClusterJob.submit(cluster, run, scratch, args);
    }

    /** The undisturbed run every fault test is compared with (trained once). */
    private static synchronized List<Double> reference() throws Exception {
        if (reference == null) {
            try (ClusterJob job = submit("reference")) {
                assertEquals(0, job.awaitExit(JOB_TIMEOUT), job.tail());
                reference = job.losses();
                assertEquals(STEPS, reference.size(), job.tail());
                referenceExecutorLogs = job.executorLogs(cluster);
                System.out.println("reference run, losses by step: " + reference);
            }
        }
        return reference;
    }

    @Test
    @Order(1)
    void preparesTheBuiltInCorpusOnHdfsThenTrainsWithTwoWorkers() throws Exception {
        assertTrue(cluster.status().ready(), cluster.status().toText());
        // every block of every shard is stored on both DataNodes
        Configuration conf = new Configuration(false);
        conf.addResource(new org.apache.hadoop.fs.Path(cluster.layout().hadoopClientConf().resolve("core-site.xml").toUri()));
        FileSystem fs = FileSystem.get(URI.create(data), conf);
        int shards = 0;
        for (RemoteIterator<LocatedFileStatus> it = fs.listFiles(new org.apache.hadoop.fs.Path(data), false); it.hasNext(); ) {
            LocatedFileStatus f = it.next();
            if (!f.getPath().getName().endsWith(".bin")) continue;
            shards++;
            assertEquals(2, f.getReplication(), f.getPath().toString());
            for (BlockLocation b : f.getBlockLocations()) {
                assertEquals(2, new HashSet<>(List.of(b.getNames())).size(), f.getPath() + " block at " + b.getOffset()
                        + " on " + List.of(b.getNames()));
            }
        }
        assertTrue(shards >= 10, "the built-in corpus makes at least 10 shards, found " + shards);

        List<Double> losses = reference();
        double first = losses.get(0);
        double last = (losses.get(STEPS - 1) + losses.get(STEPS - 2) + losses.get(STEPS - 3)) / 3;
        assertTrue(last < first - 1.0, "the loss falls: " + losses);

        // two executors, one on each worker, running the SIMD kernels (the Vector API module reached them)
        Set<String> workers = new HashSet<>();
        for (Path p : referenceExecutorLogs) {
            workers.add(p.getParent().getParent().getParent().getFileName().toString());
            String text = Files.readString(p, StandardCharsets.UTF_8);
            assertTrue(text.contains("--add-modules=jdk.incubator.vector"), p + " lacks the Vector API flag");
            assertTrue(!text.contains("element-wise kernels: ND4J ops"), p + " fell back to the ND4J-op kernels");
        }
        assertEquals(Set.of(ClusterDaemons.worker(0), ClusterDaemons.worker(1)), workers,
                "executors: " + referenceExecutorLogs);
    }

    @Test
    @Order(2)
    void aKilledSparkWorkerDoesNotChangeTheLosses() throws Exception {
        List<Double> expected = reference();
        String victim = ClusterDaemons.worker(1);
        try (ClusterJob job = submit("worker-killed")) {
            killMidRunAndFinish(job, victim, 4, expected);
            String driverLog = Files.readString(job.log(), StandardCharsets.UTF_8);
            assertTrue(driverLog.contains("worker lost"), "the driver saw its executor go with the worker; " + job.tail());
            assertEquals(expected, job.losses(), "losses after a worker was killed at step >= 4");
        } finally {
            cluster.start(victim);
            cluster.awaitReady(Duration.ofMinutes(3), List.of(victim));
        }
    }

    @Test
    @Order(3)
    void aKilledDataNodeIsReadAroundFromTheSecondReplica() throws Exception {
        List<Double> expected = reference();
        String victim = ClusterDaemons.dataNode(1);
        int port = cluster.ports().dataNodes().get(1).transfer();
        try (ClusterJob job = submit("datanode-killed")) {
            killMidRunAndFinish(job, victim, 4, expected);
            assertEquals(expected, job.losses(), "losses after a DataNode was killed at step >= 4");
            // the executors' HDFS clients hit the dead DataNode and went on with the other replica
            boolean failedOver = false;
            for (Path p : job.executorLogs(cluster)) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                failedOver |= text.contains("Failed to connect to /127.0.0.1:" + port + " for file");
            }
            assertTrue(failedOver, "no executor log shows a read moving off DataNode 127.0.0.1:" + port);
        } finally {
            cluster.start(victim);
            cluster.awaitReady(Duration.ofMinutes(3), List.of(victim));
        }
    }

    /** Kills {@code victim} (kill -9) once the job has logged {@code afterSteps} steps; the job must still finish. */
    private static void killMidRunAndFinish(ClusterJob job, String victim, int afterSteps, List<Double> expected)
            throws Exception {
        job.awaitSteps(afterSteps, JOB_TIMEOUT);
        cluster.kill9(victim);
        int at = job.losses().size();
        assertTrue(job.driver().isAlive() && at < STEPS, "killed mid-run");
        assertEquals(0, job.awaitExit(JOB_TIMEOUT), job.tail());
        System.out.println(victim + " killed (kill -9) after step " + at + " of " + STEPS + "; the job finished and its "
                + "losses equal the reference: " + expected.equals(job.losses()));
    }

    @Test
    @Order(4)
    void aKilledDriverResumesToTheUninterruptedLosses() throws Exception {
        List<Double> expected = reference();
        try (ClusterJob first = submit("driver-killed")) {
            first.awaitSteps(9, JOB_TIMEOUT); // the checkpoint of step 8 is written before step 9 is logged
            assertTrue(first.driver().info().commandLine().orElse("").contains("org.apache.spark.deploy.SparkSubmit"),
                    "the process is the driver JVM");
            first.driver().destroyForcibly();
            assertEquals(137, first.awaitExit(Duration.ofMinutes(1)), "kill -9");
            assertTrue(first.losses().size() < STEPS, "killed mid-run");
            System.out.println("driver killed (kill -9) after step " + first.losses().size() + " of " + STEPS);
        }
        // the master ends the application (its executors go with it) once the driver is gone
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (cluster.status().spark().map(s -> s.activeApps() > 0).orElse(true)) {
            assertTrue(System.nanoTime() < deadline, "the killed driver's application is still active");
            Thread.sleep(500);
        }
        try (ClusterJob resumed = submit("driver-killed", "--resume")) {
            assertEquals(0, resumed.awaitExit(JOB_TIMEOUT), resumed.tail());
            String log = Files.readString(resumed.log(), StandardCharsets.UTF_8);
            assertTrue(log.contains("resumed from"), resumed.tail());
            System.out.println("resumed; its " + resumed.losses().size() + " losses equal the reference: "
                    + expected.equals(resumed.losses()));
            assertEquals(expected, resumed.losses(), "resumed losses");
        }
    }
}
