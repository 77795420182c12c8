package io.mohge.cluster;

import io.mohge.config.BadInputException;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where a local cluster keeps its files, and where the jars it runs come from.
 * <pre>
 *   DIR/ports.properties          the loopback ports (chosen at the first start)
 *   DIR/pids/NAME.pid             one per running daemon (pid, start time, main class)
 *   DIR/logs/NAME.log             one per daemon (stdout and stderr)
 *   DIR/conf/NAME/                Hadoop configuration of each HDFS daemon
 *   DIR/hadoop-conf/              Hadoop client configuration (export HADOOP_CONF_DIR=...)
 *   DIR/hdfs/                     NameNode metadata and DataNode blocks
 *   DIR/spark-home/               a Spark home: jars/ (link to the build's Spark jars), conf/, bin/spark-submit
 *   DIR/spark/                    worker directories (executor logs, shipped jars) and Spark's scratch space
 * </pre>
 * The jars are the ones Maven resolved for the build: {@code trainer/cluster/target/spark-jars} (a Spark distribution's
 * jars), {@code trainer/cluster/target/hadoop-jars} (the HDFS daemons) and {@code trainer/spark/target/lib} (the distributed application).
 *
 * @param dir  the cluster directory
 * @param repo the repository root (holds trainer/cluster/target and trainer/spark/target)
 */
public record ClusterLayout(Path dir, Path repo) {

    public ClusterLayout {
        dir = dir.toAbsolutePath().normalize();
        repo = repo.toAbsolutePath().normalize();
    }

    /** The repository the running code was built in: the first parent of its class location holding trainer/cluster/pom.xml. */
    public static Path repoOfRunningCode() {
        Path p;
        try {
            p = Path.of(ClusterLayout.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where the running mohge code lives", e);
        }
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isRegularFile(q.resolve("trainer").resolve("cluster").resolve("pom.xml"))) return q;
        }
        throw new BadInputException("the running mohge code (" + p + ") is not inside a MoHGE-J checkout; "
                + "run mohge cluster from the repository's ./mohge launcher");
    }

    public Path portsFile() { return dir.resolve(ClusterPorts.FILE); }

    public Path pidFile(String daemon) { return dir.resolve("pids").resolve(daemon + ".pid"); }

    public Path logFile(String daemon) { return dir.resolve("logs").resolve(daemon + ".log"); }

    public Path confDir(String daemon) { return dir.resolve("conf").resolve(daemon); }

    public Path hdfsLogConfig() { return dir.resolve("conf").resolve("log4j2-hdfs.properties"); }

    public Path hadoopClientConf() { return dir.resolve("hadoop-conf"); }

    public Path nameDir() { return dir.resolve("hdfs").resolve("namenode"); }

    public Path dataDir(String daemon) { return dir.resolve("hdfs").resolve(daemon); }

    public Path hadoopTmp() { return dir.resolve("hdfs").resolve("tmp"); }

    public Path sparkHome() { return dir.resolve("spark-home"); }

    public Path sparkSubmit() { return sparkHome().resolve("bin").resolve("spark-submit"); }

    public Path workerDir(String daemon) { return dir.resolve("spark").resolve("work").resolve(daemon); }

    public Path sparkLocalDir(String daemon) { return dir.resolve("spark").resolve("local").resolve(daemon); }

    /** The Spark distribution's jars (a Spark home's jars/ directory). */
    public Path sparkJars() { return repo.resolve("trainer").resolve("cluster").resolve("target").resolve("spark-jars"); }

    /** The jars the HDFS daemons run from (NameNode and DataNode are in hadoop-client-minicluster). */
    public Path hadoopJars() { return repo.resolve("trainer").resolve("cluster").resolve("target").resolve("hadoop-jars"); }

    /** The distributed application: the Spark module's trainer/spark/target/mohge-spark.jar. */
    public Path appJar() { return sparkModule().resolve("mohge-spark.jar"); }

    /** The distributed application's dependencies (the trainer's jars and Spark's): trainer/spark/target/lib. */
    public Path appLib() { return sparkModule().resolve("lib"); }

    private Path sparkModule() { return repo.resolve("trainer").resolve("spark").resolve("target"); }

    /** Checks that the build produced the jars this cluster runs from. */
    public void requireJars() {
        for (Path d : List.of(sparkJars(), hadoopJars())) {
            if (!Files.isDirectory(d)) {
                throw new BadInputException("cluster jars not found: " + d + " does not exist; build them with "
                        + "mvn -B -ntp -DskipTests package in " + repo + " (the ./mohge launcher does this)");
            }
        }
    }

    /**
     * The application's jars a Spark cluster does not already have: trainer/spark/target/lib minus the jars of the Spark
     * distribution (by file name). This is what spark-submit's --jars ships to the executors.
     */
    public List<Path> appJars() throws IOException {
        if (!Files.isDirectory(appLib())) {
            throw new BadInputException("application jars not found: " + appLib() + " does not exist; build with "
                    + "mvn -B -ntp -DskipTests package in " + repo);
        }
        Set<String> spark;
        try (Stream<Path> s = Files.list(sparkJars())) {
            spark = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(appLib())) {
            s.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .filter(p -> !spark.contains(p.getFileName().toString()))
                    .sorted().forEach(out::add);
        }
        return out;
    }
}
