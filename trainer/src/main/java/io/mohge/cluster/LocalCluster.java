package io.mohge.cluster;

import io.mohge.config.BadInputException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A pseudo-distributed cluster on loopback, every daemon in its own JVM: HDFS with one NameNode (formatted on the
 * first start) and {@value #DATANODES} DataNodes at replication 2, and Spark standalone with one master and
 * {@value #WORKERS} workers. Ports, logs and pid files live in one directory ({@link ClusterLayout}); {@link #down}
 * stops exactly the processes recorded there.
 */
public final class LocalCluster {

    public static final int DATANODES = 2;
    public static final int WORKERS = 2;
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final ClusterLayout layout;
    private final ClusterPorts ports;
    private final ClusterDaemons daemons;
    private final ClusterProbe probe;

    private LocalCluster(ClusterLayout layout, ClusterPorts ports, ClusterDaemons.WorkerResources worker) {
        this.layout = layout;
        this.ports = ports;
        this.daemons = new ClusterDaemons(layout, ports, worker);
        this.probe = new ClusterProbe(ports);
    }

    /** The cluster in {@code layout.dir()}: its ports from ports.properties, or new free ports when it has none yet. */
    public static LocalCluster open(ClusterLayout layout, ClusterDaemons.WorkerResources worker) throws IOException {
        ClusterPorts ports;
        if (Files.isRegularFile(layout.portsFile())) {
            ports = ClusterPorts.load(layout.portsFile());
            if (ports.dataNodes().size() != DATANODES || ports.workers().size() != WORKERS) {
                throw new BadInputException(layout.portsFile() + " describes " + ports.dataNodes().size()
                        + " DataNodes and " + ports.workers().size() + " workers, not " + DATANODES + " and " + WORKERS
                        + "; delete it to choose new ports");
            }
        } else {
            ports = ClusterPorts.allocate(DATANODES, WORKERS);
            ports.save(layout.portsFile());
        }
        return new LocalCluster(layout, ports, worker);
    }

    public ClusterLayout layout() { return layout; }

    public ClusterPorts ports() { return ports; }

    public String hdfsUri() { return ClusterFiles.hdfsUri(ports); }

    public String masterUrl() { return ClusterFiles.masterUrl(ports); }

    /** SPARK_HOME, HADOOP_CONF_DIR and SPARK_LOCAL_IP for spark-submit and HDFS clients of this cluster. */
    public Map<String, String> clientEnv() { return daemons.clientEnv(); }

    /** Every daemon name, in start order. */
    public List<String> daemonNames() { return daemons.names(); }

    /**
     * Starts every daemon that is not running (formatting the NameNode first if it never ran) and waits until HDFS
     * has all DataNodes and is out of safe mode and the Spark master has all workers. When that fails, the daemons
     * this call started are stopped again. Returns the names of the daemons it started.
     */
    public List<String> up(Duration timeout, Consumer<String> progress) throws IOException {
        layout.requireJars();
        ClusterFiles.writeAll(layout, ports);
        List<String> started = new ArrayList<>();
        try {
            formatIfNeeded(progress);
            for (String name : daemons.names()) {
                if (running(name).isPresent()) continue;
                start(name);
                started.add(name);
                progress.accept("started " + name + " (log " + layout.logFile(name) + ")");
            }
            awaitReady(timeout, started);
            return started;
        } catch (IOException | RuntimeException e) {
            for (int i = started.size() - 1; i >= 0; i--) stop(started.get(i));
            throw e;
        }
    }

    /** Stops every daemon recorded in the pid files (and what they started), all at once; returns their names. */
    public List<String> down() throws IOException {
        List<String> names = new ArrayList<>(daemons.names());
        Collections.reverse(names);
        Map<PidFile, String> byPid = new LinkedHashMap<>();
        for (String name : names) PidFile.read(layout.pidFile(name)).ifPresent(p -> byPid.put(p, name));
        List<String> stopped = new ArrayList<>();
        for (PidFile p : DaemonProcesses.stop(new ArrayList<>(byPid.keySet()), STOP_GRACE)) stopped.add(byPid.get(p));
        for (String name : names) Files.deleteIfExists(layout.pidFile(name));
        return stopped;
    }

    /** Starts one daemon if it is not running (e.g. after a test killed it). */
    public void start(String name) throws IOException {
        if (running(name).isPresent()) return;
        DaemonSpec spec = daemons.spec(name);
        for (int port : portsOf(name)) {
            if (ClusterPorts.inUse(port)) {
                throw new BadInputException("port " + port + " of " + name + " is in use by another process; stop "
                        + "it, or delete " + layout.portsFile() + " (with the cluster down) to choose new ports");
            }
        }
        DaemonProcesses.start(spec, layout.logFile(name), layout.pidFile(name));
    }

    /** Stops one daemon; false when it was not running. The pid file is removed either way. */
    public boolean stop(String name) throws IOException {
        Optional<PidFile> pid = PidFile.read(layout.pidFile(name));
        boolean wasRunning = pid.isPresent() && DaemonProcesses.stop(pid.get(), STOP_GRACE);
        Files.deleteIfExists(layout.pidFile(name));
        return wasRunning;
    }

    /** kill -9 of one daemon (tests of failures); returns its pid. */
    public long kill9(String name) throws IOException {
        PidFile pid = PidFile.read(layout.pidFile(name)).filter(p -> p.process().isPresent())
                .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        DaemonProcesses.kill9(pid);
        return pid.pid();
    }

    /** The pid of a running daemon. */
    public Optional<Long> running(String name) throws IOException {
        return PidFile.read(layout.pidFile(name)).flatMap(PidFile::process).map(ProcessHandle::pid);
    }

    public ClusterStatus status() throws IOException {
        List<ClusterStatus.Daemon> list = new ArrayList<>();
        for (String name : daemons.names()) list.add(new ClusterStatus.Daemon(name, running(name), daemons.webUi(name)));
        return new ClusterStatus(layout.dir().toString(), hdfsUri(), masterUrl(), list, probe.hdfs(), probe.spark(),
                DATANODES, WORKERS);
    }

    /** Waits until the cluster is ready; fails early, naming the log, when a daemon exits. */
    public void awaitReady(Duration timeout, List<String> watched) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (String name : daemons.names()) {
                if (running(name).isEmpty()) {
                    throw new IOException(name + " is not running" + (watched.contains(name) ? " (it exited during "
                            + "start-up)" : "") + "; see " + layout.logFile(name));
                }
            }
            ClusterStatus s = status();
            if (s.ready()) return;
            if (System.nanoTime() > deadline) {
                throw new IOException("the cluster was not ready after " + timeout.toSeconds() + " s: "
                        + s.hdfs().map(h -> h.liveDataNodes() + " live DataNodes" + (h.safeMode() ? " (safe mode)" : ""))
                        .orElse("NameNode not answering") + ", " + s.spark().map(k -> k.aliveWorkers() + " alive workers")
                        .orElse("Spark master not answering") + "; see the logs in " + layout.logFile("x").getParent());
            }
            DaemonProcesses.sleep(500);
        }
    }

    private void formatIfNeeded(Consumer<String> progress) throws IOException {
        if (Files.isRegularFile(layout.nameDir().resolve("current").resolve("VERSION"))) return;
        Path log = layout.logFile("namenode-format");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(daemons.formatCommand())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("formatting the NameNode took over 120 s; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while formatting the NameNode", e);
        }
        if (p.exitValue() != 0) throw new IOException("formatting the NameNode failed (exit " + p.exitValue() + "); see " + log);
        progress.accept("formatted the NameNode in " + layout.nameDir());
    }

    private List<Integer> portsOf(String name) {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        m.put(ClusterDaemons.NAMENODE, List.of(ports.nameNodeRpc(), ports.nameNodeHttp()));
        for (int d = 0; d < ports.dataNodes().size(); d++) {
            ClusterPorts.DataNodePorts p = ports.dataNodes().get(d);
            m.put(ClusterDaemons.dataNode(d), List.of(p.transfer(), p.http(), p.ipc()));
        }
        m.put(ClusterDaemons.MASTER, List.of(ports.master(), ports.masterUi()));
        for (int w = 0; w < ports.workers().size(); w++) {
            m.put(ClusterDaemons.worker(w), List.of(ports.workers().get(w).rpc(), ports.workers().get(w).ui()));
        }
        return m.getOrDefault(name, List.of());
    }
}
