package io.mohge.cluster;

import io.mohge.config.BadInputException;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;

/**
 * The loopback ports of a local cluster, chosen once (free ports at the first {@code up}) and kept in
 * {@code <dir>/ports.properties}, so that the {@code hdfs://} and {@code spark://} addresses stay the same across
 * restarts.
 *
 * @param nameNodeRpc    NameNode RPC (the port of {@code hdfs://127.0.0.1:PORT})
 * @param nameNodeHttp   NameNode web UI
 * @param dataNodes      per DataNode: data transfer, web UI, IPC
 * @param master         Spark master (the port of {@code spark://127.0.0.1:PORT})
 * @param masterUi       Spark master web UI
 * @param workers        per Spark worker: RPC, web UI
 */
public record ClusterPorts(int nameNodeRpc, int nameNodeHttp, List<DataNodePorts> dataNodes, int master, int masterUi,
                           List<WorkerPorts> workers) {

    public static final String FILE = "ports.properties";

    /** Ports of one DataNode. */
    public record DataNodePorts(int transfer, int http, int ipc) {
        public DataNodePorts {
            check("datanode transfer", transfer);
            check("datanode http", http);
            check("datanode ipc", ipc);
        }
    }

    /** Ports of one Spark worker. */
    public record WorkerPorts(int rpc, int ui) {
        public WorkerPorts {
            check("worker rpc", rpc);
            check("worker ui", ui);
        }
    }

    public ClusterPorts {
        check("namenode rpc", nameNodeRpc);
        check("namenode http", nameNodeHttp);
        check("master", master);
        check("master ui", masterUi);
        dataNodes = List.copyOf(dataNodes);
        workers = List.copyOf(workers);
        if (dataNodes.isEmpty() || workers.isEmpty()) {
            throw new IllegalArgumentException("ports: a cluster needs at least one DataNode and one Spark worker");
        }
        List<Integer> all = all(nameNodeRpc, nameNodeHttp, dataNodes, master, masterUi, workers);
        if (new HashSet<>(all).size() != all.size()) throw new IllegalArgumentException("ports: the same port twice in " + all);
    }

    /** Every port, for checks. */
    public List<Integer> all() {
        return all(nameNodeRpc, nameNodeHttp, dataNodes, master, masterUi, workers);
    }

    private static List<Integer> all(int nnRpc, int nnHttp, List<DataNodePorts> dns, int master, int masterUi,
                                     List<WorkerPorts> workers) {
        List<Integer> all = new ArrayList<>(List.of(nnRpc, nnHttp, master, masterUi));
        for (DataNodePorts d : dns) all.addAll(List.of(d.transfer(), d.http(), d.ipc()));
        for (WorkerPorts w : workers) all.addAll(List.of(w.rpc(), w.ui()));
        return all;
    }

    private static void check(String what, int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("ports: " + what + " port " + port + " outside 1..65535");
    }

    /** Free loopback ports for {@code dataNodes} DataNodes and {@code workers} Spark workers. */
    public static ClusterPorts allocate(int dataNodes, int workers) throws IOException {
        int n = 4 + 3 * dataNodes + 2 * workers;
        List<ServerSocket> held = new ArrayList<>();
        int[] p = new int[n];
        try {
            for (int i = 0; i < n; i++) { // hold them all open at once, so they differ
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                p[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) s.close();
        }
        List<DataNodePorts> dns = new ArrayList<>();
        for (int d = 0; d < dataNodes; d++) dns.add(new DataNodePorts(p[4 + 3 * d], p[5 + 3 * d], p[6 + 3 * d]));
        List<WorkerPorts> ws = new ArrayList<>();
        int base = 4 + 3 * dataNodes;
        for (int w = 0; w < workers; w++) ws.add(new WorkerPorts(p[base + 2 * w], p[base + 2 * w + 1]));
        return new ClusterPorts(p[0], p[1], dns, p[2], p[3], ws);
    }

    /** Whether something listens on this loopback port now (checked before a daemon is started on it). */
    public static boolean inUse(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public void save(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("namenode.rpc", Integer.toString(nameNodeRpc));
        p.setProperty("namenode.http", Integer.toString(nameNodeHttp));
        p.setProperty("master", Integer.toString(master));
        p.setProperty("master.ui", Integer.toString(masterUi));
        p.setProperty("datanodes", Integer.toString(dataNodes.size()));
        for (int d = 0; d < dataNodes.size(); d++) {
            p.setProperty("datanode." + (d + 1) + ".transfer", Integer.toString(dataNodes.get(d).transfer()));
            p.setProperty("datanode." + (d + 1) + ".http", Integer.toString(dataNodes.get(d).http()));
            p.setProperty("datanode." + (d + 1) + ".ipc", Integer.toString(dataNodes.get(d).ipc()));
        }
        p.setProperty("workers", Integer.toString(workers.size()));
        for (int w = 0; w < workers.size(); w++) {
            p.setProperty("worker." + (w + 1) + ".rpc", Integer.toString(workers.get(w).rpc()));
            p.setProperty("worker." + (w + 1) + ".ui", Integer.toString(workers.get(w).ui()));
        }
        Files.createDirectories(file.getParent());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "loopback ports of this local cluster (chosen at its first start)");
        }
    }

    public static ClusterPorts load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        try {
            List<DataNodePorts> dns = new ArrayList<>();
            for (int d = 1; d <= get(p, "datanodes", file); d++) {
                dns.add(new DataNodePorts(get(p, "datanode." + d + ".transfer", file), get(p, "datanode." + d + ".http", file),
                        get(p, "datanode." + d + ".ipc", file)));
            }
            List<WorkerPorts> ws = new ArrayList<>();
            for (int w = 1; w <= get(p, "workers", file); w++) {
                ws.add(new WorkerPorts(get(p, "worker." + w + ".rpc", file), get(p, "worker." + w + ".ui", file)));
            }
            return new ClusterPorts(get(p, "namenode.rpc", file), get(p, "namenode.http", file), dns,
                    get(p, "master", file), get(p, "master.ui", file), ws);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage() + "; delete the file to choose new ports", e);
        }
    }

    private static int get(Properties p, String key, Path file) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalArgumentException("missing key " + key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("key " + key + " = '" + v + "' is not a port number");
        }
    }
}
