package io.mohge.cluster;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code mohge cluster status} reports: every daemon (running or not, its pid and web UI), what HDFS and the
 * Spark master say about their members, and the addresses a job uses.
 */
public record ClusterStatus(String dir, String hdfsUri, String masterUrl, List<Daemon> daemons,
                            Optional<ClusterProbe.Hdfs> hdfs, Optional<ClusterProbe.Spark> spark,
                            int expectedDataNodes, int expectedWorkers) {

    /** One daemon: pid when running, empty when stopped. */
    public record Daemon(String name, Optional<Long> pid, String webUi) { }

    public ClusterStatus {
        daemons = List.copyOf(daemons);
    }

    /** True when every daemon runs, every DataNode and worker has registered and HDFS is out of safe mode. */
    public boolean ready() {
        return daemons.stream().allMatch(d -> d.pid().isPresent())
                && hdfs.map(h -> h.liveDataNodes() == expectedDataNodes && !h.safeMode()).orElse(false)
                && spark.map(s -> s.aliveWorkers() == expectedWorkers).orElse(false);
    }

    public boolean anyRunning() {
        return daemons.stream().anyMatch(d -> d.pid().isPresent());
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("local cluster in ").append(dir).append('\n');
        for (Daemon d : daemons) {
            sb.append(String.format(Locale.ROOT, "  %-16s %-8s %-12s web UI %s%n", d.name(),
                    d.pid().isPresent() ? "running" : "stopped", d.pid().map(p -> "pid " + p).orElse(""), d.webUi()));
        }
        sb.append("  HDFS:  ").append(hdfsUri).append("  ").append(hdfs.map(h -> h.liveDataNodes() + " of "
                + expectedDataNodes + " DataNodes live" + (h.safeMode() ? ", in safe mode" : "") + ", replication "
                + ClusterFiles.REPLICATION).orElse("NameNode not answering")).append('\n');
        sb.append("  Spark: ").append(masterUrl).append("  ").append(spark.map(s -> s.aliveWorkers() + " of "
                + expectedWorkers + " workers alive, " + s.activeApps() + " application(s) running")
                .orElse("master not answering")).append('\n');
        sb.append(ready() ? "ready" : anyRunning() ? "not ready" : "stopped").append('\n');
        return sb.toString();
    }
}
