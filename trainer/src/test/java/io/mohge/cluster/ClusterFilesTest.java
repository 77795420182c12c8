package io.mohge.cluster;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration a local cluster writes, and its daemons' command lines (no daemon is started here). */
class ClusterFilesTest {

    private static Configuration read(Path dir) {
        Configuration c = new Configuration(false);
        c.addResource(new org.apache.hadoop.fs.Path(dir.resolve("hdfs-site.xml").toUri()));
        return c;
    }

    @Test
    void hadoopAndSparkConfigurationMatchThePorts(@TempDir Path dir) throws IOException {
        ClusterLayout l = new ClusterLayout(dir.resolve("c"), dir.resolve("repo"));
        ClusterPorts p = ClusterPorts.allocate(2, 2);
        ClusterFiles.writeAll(l, p);

        Configuration nn = read(l.confDir("namenode"));
        assertEquals("127.0.0.1:" + p.nameNodeRpc(), nn.get("dfs.namenode.rpc-address"));
        assertEquals("2", nn.get("dfs.replication"));
        Configuration dn2 = read(l.confDir("datanode-2"));
        assertEquals("127.0.0.1:" + p.dataNodes().get(1).transfer(), dn2.get("dfs.datanode.address"));
        assertEquals(l.dataDir("datanode-2").toUri().toString(), dn2.get("dfs.datanode.data.dir"));
        Configuration client = read(l.hadoopClientConf());
        assertEquals("hdfs://127.0.0.1:" + p.nameNodeRpc(), client.get("fs.defaultFS"));
        assertEquals("2", client.get("dfs.replication"), "clients write 2 replicas");

        String defaults = Files.readString(l.sparkHome().resolve("conf/spark-defaults.conf"));
        assertTrue(defaults.contains("spark.master                          spark://127.0.0.1:" + p.master()), defaults);
        assertEquals(l.sparkJars(), Files.readSymbolicLink(l.sparkHome().resolve("jars")));
        assertTrue(Files.isExecutable(l.sparkSubmit()));
        ClusterFiles.writeAll(l, p); // rewriting (every up does) replaces the link and files
        assertEquals(l.sparkJars(), Files.readSymbolicLink(l.sparkHome().resolve("jars")));
    }

    @Test
    void daemonCommandsRunTheirMainClassOnTheirPorts(@TempDir Path dir) throws IOException {
        ClusterLayout l = new ClusterLayout(dir, dir.resolve("repo"));
        ClusterPorts p = ClusterPorts.allocate(2, 2);
        ClusterDaemons d = new ClusterDaemons(l, p, new ClusterDaemons.WorkerResources(2, "4g"));
        assertEquals(List.of("namenode", "datanode-1", "datanode-2", "spark-master", "spark-worker-1", "spark-worker-2"),
                d.names());
        DaemonSpec dn = d.spec("datanode-1");
        assertEquals(ClusterDaemons.DATANODE_CLASS, dn.mainClass());
        assertTrue(dn.command().contains(l.confDir("datanode-1") + ":" + l.hadoopJars() + "/*"), dn.command().toString());
        assertEquals("http://127.0.0.1:" + p.dataNodes().get(0).http(), dn.webUi());
        assertEquals("http://127.0.0.1:" + p.workers().get(1).ui(), d.webUi("spark-worker-2"));
        List<String> format = d.formatCommand();
        assertTrue(format.containsAll(List.of(ClusterDaemons.NAMENODE_CLASS, "-format", "-nonInteractive")), format.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.spec("datanode-3"));
        assertTrue(e.getMessage().contains("datanode-3") && e.getMessage().contains("datanode-2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClusterDaemons.WorkerResources(2, "lots"));
    }

    @Test
    void sparkLauncherOutputIsSplitAfterItsMarker() {
        assertEquals(List.of("/usr/bin/java", "-cp", "a b/*", "org.apache.spark.deploy.master.Master"),
                ClusterDaemons.parseLauncherOutput("\0\n/usr/bin/java\0-cp\0a b/*\0org.apache.spark.deploy.master.Master\0"));
        assertEquals(List.of("env", "X=1", "java"), ClusterDaemons.parseLauncherOutput("a message\n\0\nenv\0X=1\0java\0"));
        assertThrows(IllegalStateException.class, () -> ClusterDaemons.parseLauncherOutput("usage: ..."));
    }
}
