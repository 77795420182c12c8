package io.mohge.cli;

import io.mohge.cluster.ClusterDaemons;
import io.mohge.cluster.ClusterLayout;
import io.mohge.cluster.ClusterStatus;
import io.mohge.cluster.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"A pseudo-distributed cluster on loopback, every daemon in its own JVM, from the jars of the "
                + "build: HDFS (1 NameNode, 2 DataNodes, replication 2) and Spark standalone (1 master, 2 workers). "
                + "Ports, logs and pid files live in one directory.",
                "Submit jobs with its spark-submit; see README.md, \"Running on a cluster\"."},
        subcommands = {ClusterCommand.Up.class, ClusterCommand.Down.class, ClusterCommand.Status.class,
                ClusterCommand.Env.class})
final class ClusterCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every cluster subcommand shares. */
    static final class Where {
        @Option(names = "--dir", paramLabel = "DIR", converter = UserDir.Converter.class,
                description = "Cluster directory (default: runs/cluster of the repository).")
        Path dir;

        @Option(names = "--worker-cores", paramLabel = "N", defaultValue = "2",
                description = "Cores each Spark worker offers (default: ${DEFAULT-VALUE}).")
        int workerCores;

        @Option(names = "--worker-memory", paramLabel = "SIZE", defaultValue = "8g",
                description = "Memory each Spark worker offers to executors (default: ${DEFAULT-VALUE}).")
        String workerMemory;

        LocalCluster open() throws IOException {
            Path d = dir != null ? dir : Path.of("runs", "cluster");
            return LocalCluster.open(new ClusterLayout(d, ClusterLayout.repoOfRunningCode()),
                    new ClusterDaemons.WorkerResources(workerCores, workerMemory));
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the daemons that are not running (the NameNode is formatted on its first start) and "
                    + "wait until every DataNode and worker has registered.")
    static final class Up implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180",
                description = "How long to wait for the cluster to be ready (default: ${DEFAULT-VALUE}).")
        long timeout;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            LocalCluster c = where.open();
            List<String> started = c.up(Duration.ofSeconds(timeout), line -> {
                out.println(line);
                out.flush();
            });
            if (started.isEmpty()) out.println("every daemon was already running");
            out.print(c.status().toText());
            out.flush();
            return 0;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Stop exactly the daemons this cluster directory started (pid, start time and main class "
                    + "must match), and the executors they started.")
    static final class Down implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<String> stopped = where.open().down();
            out.println(stopped.isEmpty() ? "no daemon was running" : "stopped " + String.join(", ", stopped));
            out.flush();
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Print every daemon (running or not, pid, web UI), HDFS and Spark membership, and the "
                    + "hdfs:// and spark:// addresses. Exit code 0 when ready, 3 otherwise.")
    static final class Status implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            ClusterStatus s = where.open().status();
            PrintWriter out = spec.commandLine().getOut();
            out.print(s.toText());
            out.flush();
            return s.ready() ? 0 : 3;
        }
    }

    @Command(name = "env", mixinStandardHelpOptions = true,
            description = {"Print shell exports for jobs on this cluster: SPARK_HOME (its bin/spark-submit), "
                    + "HADOOP_CONF_DIR (replication 2), MOHGE_HDFS, MOHGE_MASTER and MOHGE_APP_JARS (the application's "
                    + "jars Spark does not have, for --jars).",
                    "Use: eval \"$(./mohge cluster env)\""})
    static final class Env implements Callable<Integer> {
        @Mixin Where where;
        @Spec CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            LocalCluster c = where.open();
            Map<String, String> env = new TreeMap<>(c.clientEnv());
            env.put("MOHGE_HDFS", c.hdfsUri());
            env.put("MOHGE_MASTER", c.masterUrl());
            env.put("MOHGE_APP_JARS", c.layout().appJars().stream().map(Path::toString).collect(Collectors.joining(",")));
            PrintWriter out = spec.commandLine().getOut();
            env.forEach((k, v) -> out.println("export " + k + "='" + v.replace("'", "'\\''") + "'"));
            out.flush();
            return 0;
        }
    }
}
