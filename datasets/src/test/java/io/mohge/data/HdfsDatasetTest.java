package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prepare/read contract on a real HDFS (MiniDFSCluster, one datanode, 2 KiB blocks so that every
 * 8256-byte shard spans five blocks), plus HDFS-specific checks: block layout and block locations.
 */
class HdfsDatasetTest extends DatasetContractTest {

    static final int BLOCK = 2048;

    @TempDir
    static Path base;

    static MiniDFSCluster cluster;
    static Configuration conf;

    @BeforeAll
    static void startCluster() throws IOException {
        Configuration c = new Configuration();
        c.setLong("dfs.namenode.fs-limits.min-block-size", 512);
        c.setLong("dfs.blocksize", BLOCK);
        c.setInt("dfs.bytes-per-checksum", 512);
        c.setInt("dfs.replication", 1);
        // The client polls the namenode when closing a file / adding a block, by default from 400 ms on.
        c.setInt("dfs.client.block.write.locateFollowingBlock.initial.delay.ms", 5);
        cluster = new MiniDFSCluster.Builder(c, new File(base.toFile(), "dfs")).numDataNodes(1).build();
        cluster.waitActive();
        conf = cluster.getConfiguration(0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.shutdown();
    }

    @Override
    String location(String name) { return cluster.getURI() + "/datasets/" + name; }

    @Override
    Configuration hconf() { return conf; }

    @Test
    void shardsSpanSeveralBlocksAndReadsCrossBlockBoundaries() throws IOException {
        String dir = prepared("blocks");
        int[] train = TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL);
        DataLocation shard = DataLocation.resolve(dir + "/train-00000.bin", conf);
        FileStatus st = shard.fs().getFileStatus(shard.path());
        BlockLocation[] blocks = shard.fs().getFileBlockLocations(st, 0, st.getLen());
        assertEquals(st.getLen(), ShardHeader.SIZE + 2L * SHARD_TOKENS);
        assertEquals((st.getLen() + BLOCK - 1) / BLOCK, blocks.length, "shard should span several HDFS blocks");
        try (TokenDataset d = TokenDataset.open(dir, conf)) {
            for (int b = 1; b < blocks.length; b++) {
                // 40 tokens around byte offset b * BLOCK of every full train shard: the read spans two blocks.
                for (int s = 0; s < d.shardCount(Split.TRAIN) - 1; s++) {
                    long firstToken = d.shardStart(Split.TRAIN, s) + (b * (long) BLOCK - ShardHeader.SIZE) / 2 - 20;
                    assertArrayEquals(java.util.Arrays.copyOfRange(train, (int) firstToken, (int) firstToken + 40),
                            d.read(Split.TRAIN, firstToken, 40), "shard " + s + " block boundary " + b);
                }
            }
            List<ShardLocation> locs = d.locations(Split.TRAIN);
            assertEquals(d.shardCount(Split.TRAIN), locs.size());
            String host = cluster.getDataNodes().get(0).getDatanodeId().getHostName();
            for (ShardLocation l : locs) {
                assertEquals(List.of(host), l.hosts(), l.path());
                assertTrue(l.path().startsWith("hdfs://"), l.path());
            }
        }
    }
}
