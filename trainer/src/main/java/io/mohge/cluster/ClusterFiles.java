package io.mohge.cluster;

import io.mohge.files.AtomicFiles;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the configuration files of a local cluster (rewritten at every {@code up}, so they always match the ports):
 * the Hadoop XML of each HDFS daemon and of clients, the Spark home (jars link, spark-defaults.conf, bin/spark-submit)
 * and the daemons' logging configuration.
 */
final class ClusterFiles {

    /** Replication of every HDFS file: each block on both DataNodes. */
    static final int REPLICATION = 2;

    private ClusterFiles() { }

    static void writeAll(ClusterLayout l, ClusterPorts p) throws IOException {
        writeHadoop(l.confDir(ClusterDaemons.NAMENODE), nameNode(l, p));
        for (int d = 0; d < p.dataNodes().size(); d++) {
            String name = ClusterDaemons.dataNode(d);
            writeHadoop(l.confDir(name), dataNode(l, p, d));
        }
        writeHadoop(l.hadoopClientConf(), client(p));
        copyResource("log4j2-hdfs.properties", l.hdfsLogConfig());
        writeSparkHome(l, p);
    }

    /** Keys every Hadoop process of the cluster shares. */
    private static Map<String, String> common(ClusterPorts p) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fs.defaultFS", hdfsUri(p));
        m.put("dfs.replication", Integer.toString(REPLICATION));
        return m;
    }

    private static Map<String, String> nameNode(ClusterLayout l, ClusterPorts p) {
        Map<String, String> m = common(p);
        m.put("hadoop.tmp.dir", l.hadoopTmp().toString());
        m.put("dfs.namenode.name.dir", l.nameDir().toUri().toString());
        m.put("dfs.namenode.rpc-address", "127.0.0.1:" + p.nameNodeRpc());
        m.put("dfs.namenode.http-address", "127.0.0.1:" + p.nameNodeHttp());
        m.put("dfs.permissions.enabled", "false");
        // leave safe mode as soon as the blocks are reported (a one-machine cluster has nothing to wait for)
        m.put("dfs.namenode.safemode.extension", "0");
        // declare a DataNode dead 50 s after it stopped heartbeating instead of 10.5 min
        m.put("dfs.namenode.heartbeat.recheck-interval", "10000");
        m.put("dfs.namenode.datanode.registration.ip-hostname-check", "false");
        return m;
    }

    private static Map<String, String> dataNode(ClusterLayout l, ClusterPorts p, int d) {
        ClusterPorts.DataNodePorts dn = p.dataNodes().get(d);
        Map<String, String> m = common(p);
        m.put("hadoop.tmp.dir", l.hadoopTmp().toString());
        m.put("dfs.datanode.data.dir", l.dataDir(ClusterDaemons.dataNode(d)).toUri().toString());
        m.put("dfs.datanode.address", "127.0.0.1:" + dn.transfer());
        m.put("dfs.datanode.http.address", "127.0.0.1:" + dn.http());
        m.put("dfs.datanode.ipc.address", "127.0.0.1:" + dn.ipc());
        // registers as 127.0.0.1, the host name Spark executors have here: block locations then match executors
        m.put("dfs.datanode.hostname", "127.0.0.1");
        return m;
    }

    private static Map<String, String> client(ClusterPorts p) {
        return common(p);
    }

    static String hdfsUri(ClusterPorts p) {
        return "hdfs://127.0.0.1:" + p.nameNodeRpc();
    }

    static String masterUrl(ClusterPorts p) {
        return "spark://127.0.0.1:" + p.master();
    }

    private static void writeHadoop(Path dir, Map<String, String> keys) throws IOException {
        Configuration c = new Configuration(false);
        keys.forEach(c::set);
        Files.createDirectories(dir);
        // core-site.xml is what every Hadoop process reads; hdfs-site.xml holds the same keys for HDFS's own loading
        for (String name : new String[] {"core-site.xml", "hdfs-site.xml"}) {
            try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                c.writeXml(out);
            }
        }
    }

    private static void writeSparkHome(ClusterLayout l, ClusterPorts p) throws IOException {
        Path home = l.sparkHome();
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("bin"));
        Path jars = home.resolve("jars");
        if (Files.isSymbolicLink(jars) || Files.exists(jars)) Files.delete(jars);
        Files.createSymbolicLink(jars, l.sparkJars());
        String defaults = String.join("\n",
                "# Spark defaults of the local cluster (written by mohge cluster up)",
                "spark.master                          " + masterUrl(p),
                "spark.driver.host                     127.0.0.1",
                "spark.driver.bindAddress              127.0.0.1",
                "# one OpenMP thread per executor core (README: two threads were slower on this machine class)",
                "spark.executorEnv.OMP_NUM_THREADS     1",
                "spark.executorEnv.MALLOC_MMAP_THRESHOLD_ 4294967296",
                "spark.executorEnv.MALLOC_TRIM_THRESHOLD_ 68719476736",
                "");
        AtomicFiles.writeString(home.resolve("conf").resolve("spark-defaults.conf"), defaults);
        Path submit = l.sparkSubmit();
        copyResource("spark-submit", submit);
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = ClusterFiles.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource io/mohge/cluster/" + name + " missing from the jar");
            AtomicFiles.write(target, in.readAllBytes());
        }
    }
}
