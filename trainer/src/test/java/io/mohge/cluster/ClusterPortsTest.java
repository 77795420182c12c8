package io.mohge.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterPortsTest {

    @Test
    void allocatesDistinctFreePortsAndRoundTripsThroughItsFile(@TempDir Path dir) throws IOException {
        ClusterPorts p = ClusterPorts.allocate(2, 2);
        assertEquals(4 + 3 * 2 + 2 * 2, p.all().size());
        assertEquals(p.all().size(), new HashSet<>(p.all()).size(), "distinct: " + p.all());
        for (int port : p.all()) assertFalse(ClusterPorts.inUse(port), "port " + port + " should be free");
        p.save(dir.resolve(ClusterPorts.FILE));
        assertEquals(p, ClusterPorts.load(dir.resolve(ClusterPorts.FILE)));
    }

    @Test
    void seesAPortInUse() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertTrue(ClusterPorts.inUse(s.getLocalPort()));
        }
    }

    @Test
    void refusesTheSamePortTwiceAndOutOfRangePorts() {
        var dn = List.of(new ClusterPorts.DataNodePorts(2001, 2002, 2003));
        var w = List.of(new ClusterPorts.WorkerPorts(3001, 3002));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new ClusterPorts(1000, 1000, dn, 4000, 4001, w));
        assertTrue(twice.getMessage().contains("same port twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClusterPorts.WorkerPorts(0, 3002));
        assertThrows(IllegalArgumentException.class, () -> new ClusterPorts.DataNodePorts(1, 2, 70000));
        assertThrows(IllegalArgumentException.class, () -> new ClusterPorts(1000, 1001, List.of(), 4000, 4001, w));
    }

    @Test
    void aDamagedFileIsNamedWithTheKeyAndTheFix(@TempDir Path dir) throws IOException {
        Path f = dir.resolve(ClusterPorts.FILE);
        ClusterPorts.allocate(2, 2).save(f);
        Files.writeString(f, Files.readString(f).replaceAll("(?m)^master=.*$", "master=http"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterPorts.load(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("master")
                && e.getMessage().contains("delete the file"), e.getMessage());
    }
}
