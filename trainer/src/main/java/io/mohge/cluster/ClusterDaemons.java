package io.mohge.cluster;

import io.mohge.config.BadInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The daemons of the local cluster and their command lines: HDFS (one NameNode, DataNodes) from
 * trainer/cluster/target/hadoop-jars, Spark standalone (one master, workers) from the Spark home. The Spark daemons' java
 * commands are built by Spark's own launcher library, as {@code sbin/start-master.sh} does through
 * {@code spark-class}, so they carry the JVM flags this Spark version needs on JDK 17. Heaps are small: the daemons
 * only coordinate; training runs in the executors the workers start.
 */
public final class ClusterDaemons {

    public static final String NAMENODE = "namenode";
    public static final String MASTER = "spark-master";
    static final String NAMENODE_CLASS = "org.apache.hadoop.hdfs.server.namenode.NameNode";
    static final String DATANODE_CLASS = "org.apache.hadoop.hdfs.server.datanode.DataNode";
    static final String MASTER_CLASS = "org.apache.spark.deploy.master.Master";
    static final String WORKER_CLASS = "org.apache.spark.deploy.worker.Worker";
    /** Lighter JVMs for the daemons: one GC thread, C1 only (they coordinate; they do not compute). */
    private static final List<String> DAEMON_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Cores and memory each Spark worker offers to executors. */
    public record WorkerResources(int cores, String memory) {
        public WorkerResources {
            if (cores < 1) throw new BadInputException("--worker-cores: must be 1 or more, got " + cores);
            if (memory == null || !memory.matches("\\d+[mg]")) {
                throw new BadInputException("--worker-memory: '" + memory + "' is not like 4g or 512m");
            }
        }
    }

    private final ClusterLayout layout;
    private final ClusterPorts ports;
    private final WorkerResources worker;
    private final String java;

    ClusterDaemons(ClusterLayout layout, ClusterPorts ports, WorkerResources worker) {
        this.layout = layout;
        this.ports = ports;
        this.worker = worker;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static String dataNode(int index) {
        return "datanode-" + (index + 1);
    }

    public static String worker(int index) {
        return "spark-worker-" + (index + 1);
    }

    /** Every daemon name in start order (HDFS first, then Spark). */
    List<String> names() {
        List<String> n = new ArrayList<>(List.of(NAMENODE));
        for (int d = 0; d < ports.dataNodes().size(); d++) n.add(dataNode(d));
        n.add(MASTER);
        for (int w = 0; w < ports.workers().size(); w++) n.add(worker(w));
        return n;
    }

    /** The web UI address of a daemon. */
    String webUi(String name) {
        if (name.equals(NAMENODE)) return "http://127.0.0.1:" + ports.nameNodeHttp();
        if (name.equals(MASTER)) return "http://127.0.0.1:" + ports.masterUi();
        for (int d = 0; d < ports.dataNodes().size(); d++) {
            if (name.equals(dataNode(d))) return "http://127.0.0.1:" + ports.dataNodes().get(d).http();
        }
        for (int w = 0; w < ports.workers().size(); w++) {
            if (name.equals(worker(w))) return "http://127.0.0.1:" + ports.workers().get(w).ui();
        }
        throw unknown(name);
    }

    DaemonSpec spec(String name) throws IOException {
        if (name.equals(NAMENODE)) return hdfs(name, NAMENODE_CLASS, "256m");
        if (name.equals(MASTER)) {
            return spark(name, MASTER_CLASS, List.of("--host", "127.0.0.1", "--port", Integer.toString(ports.master()),
                    "--webui-port", Integer.toString(ports.masterUi())));
        }
        for (int d = 0; d < ports.dataNodes().size(); d++) {
            if (name.equals(dataNode(d))) return hdfs(name, DATANODE_CLASS, "192m");
        }
        for (int w = 0; w < ports.workers().size(); w++) {
            if (name.equals(worker(w))) {
                ClusterPorts.WorkerPorts wp = ports.workers().get(w);
                return spark(name, WORKER_CLASS, List.of("--host", "127.0.0.1", "--port", Integer.toString(wp.rpc()),
                        "--webui-port", Integer.toString(wp.ui()), "--cores", Integer.toString(worker.cores()),
                        "--memory", worker.memory(), "--work-dir", layout.workerDir(name).toString(),
                        ClusterFiles.masterUrl(ports)));
            }
        }
        throw unknown(name);
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("no daemon named '" + name + "'; the daemons are " + names());
    }

    /** The NameNode format command (run once, before the NameNode's first start). */
    List<String> formatCommand() {
        List<String> cmd = hdfsJvm(NAMENODE, "256m");
        cmd.addAll(List.of(NAMENODE_CLASS, "-format", "-nonInteractive", "-clusterid", "mohge-local"));
        return cmd;
    }

    private DaemonSpec hdfs(String name, String mainClass, String heap) {
        List<String> cmd = hdfsJvm(name, heap);
        cmd.add(mainClass);
        return new DaemonSpec(name, mainClass, cmd, Map.of(), webUi(name));
    }

    private List<String> hdfsJvm(String name, String heap) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap));
        cmd.addAll(DAEMON_JVM);
        cmd.add("-Dlog4j2.configurationFile=" + layout.hdfsLogConfig().toUri());
        cmd.add("-Dhadoop.log.dir=" + layout.logFile(name).getParent());
        cmd.add("-cp");
        cmd.add(layout.confDir(name) + ":" + layout.hadoopJars() + "/*");
        return cmd;
    }

    private DaemonSpec spark(String name, String mainClass, List<String> args) throws IOException {
        Map<String, String> env = sparkEnv(name);
        List<String> launcher = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", layout.sparkHome().resolve("jars") + "/*",
                "org.apache.spark.launcher.Main", mainClass));
        launcher.addAll(args);
        return new DaemonSpec(name, mainClass, sparkCommand(launcher, env), env, webUi(name));
    }

    /** Environment of the Spark daemons; workers pass it on to the executors they start. */
    Map<String, String> sparkEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPARK_HOME", layout.sparkHome().toString());
        env.put("SPARK_SCALA_VERSION", "2.12");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOCAL_DIRS", layout.sparkLocalDir(name).toString());
        env.put("SPARK_DAEMON_MEMORY", "256m");
        env.put("SPARK_DAEMON_JAVA_OPTS", String.join(" ", DAEMON_JVM));
        // finished applications' directories (each holds the shipped jars) are removed after an hour
        env.put("SPARK_WORKER_OPTS", "-Dspark.worker.cleanup.enabled=true -Dspark.worker.cleanup.interval=600 "
                + "-Dspark.worker.cleanup.appDataTtl=3600");
        env.put("HADOOP_CONF_DIR", layout.hadoopClientConf().toString()); // on the executors' class path
        env.put("OMP_NUM_THREADS", "1");
        env.put("MALLOC_MMAP_THRESHOLD_", "4294967296");
        env.put("MALLOC_TRIM_THRESHOLD_", "68719476736");
        return env;
    }

    /** Runs Spark's launcher library and returns the command it built (NUL-separated after a NUL-newline marker). */
    private static List<String> sparkCommand(List<String> launcher, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            out = buf.toByteArray();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("Spark's launcher did not finish within 60 s: " + launcher);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while Spark's launcher ran", e);
        }
        if (p.exitValue() != 0) throw new IOException("Spark's launcher failed (exit " + p.exitValue() + "): " + launcher);
        return parseLauncherOutput(new String(out, StandardCharsets.UTF_8));
    }

    static List<String> parseLauncherOutput(String out) {
        int marker = out.indexOf("\0\n");
        if (marker < 0) throw new IllegalStateException("Spark's launcher printed no command: " + out);
        List<String> words = new ArrayList<>();
        for (String w : out.substring(marker + 2).split("\0")) if (!w.isEmpty()) words.add(w);
        if (words.isEmpty()) throw new IllegalStateException("Spark's launcher printed an empty command");
        return words;
    }

    /** The environment {@code spark-submit} and the application need to reach this cluster. */
    Map<String, String> clientEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("SPARK_HOME", layout.sparkHome().toString());
        env.put("HADOOP_CONF_DIR", layout.hadoopClientConf().toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        return env;
    }
}
