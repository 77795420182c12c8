package io.mohge.spark;

import io.mohge.config.DistributedConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GradientBlocksTest {

    @Test
    void blocksCoverEveryValueOnceAndReassemble() {
        for (int size : new int[] {1, 7, 10, 1001}) {
            for (int count = 1; count <= Math.min(size, 9); count++) {
                GradientBlocks b = new GradientBlocks(size, count);
                float[] g = new float[size];
                for (int i = 0; i < size; i++) g[i] = i * 0.5f - 3;
                float[] back = new float[size];
                int covered = 0;
                for (int k = 0; k < count; k++) {
                    assertEquals(k == 0 ? 0 : b.end(k - 1), b.start(k), "contiguous");
                    int len = b.end(k) - b.start(k);
                    assertEquals(size / count, len, 1, "nearly equal lengths");
                    b.place(b.slice(g, k), k, back);
                    covered += len;
                }
                assertEquals(size, covered);
                assertArrayEquals(g, back, 0f, size + " in " + count);
            }
        }
    }

    @Test
    void refusesImpossibleCutsAndWrongSizes() {
        assertThrows(IllegalArgumentException.class, () -> new GradientBlocks(3, 4));
        assertThrows(IllegalArgumentException.class, () -> new GradientBlocks(0, 1));
        GradientBlocks b = new GradientBlocks(10, 3);
        assertThrows(IllegalArgumentException.class, () -> b.slice(new float[9], 0));
        assertThrows(IllegalArgumentException.class, () -> b.place(new float[2], 0, new float[10]));
        assertThrows(IndexOutOfBoundsException.class, () -> b.start(3));
    }

    @Test
    void blocksPerConfig() {
        DistributedConfig perWorker = new DistributedConfig("local[2]", 4, 4, 2, DistributedConfig.Aggregation.SHARDED, 0);
        assertEquals(4, perWorker.blocksFor(1_000_000));
        assertEquals(2, perWorker.blocksFor(2), "never more blocks than values");
        assertEquals(16, new DistributedConfig("local[2]", 4, 4, 2, DistributedConfig.Aggregation.SHARDED, 16)
                .blocksFor(1_000_000));
        assertThrows(IllegalArgumentException.class,
                () -> new DistributedConfig("local[2]", 4, 4, 2, DistributedConfig.Aggregation.SHARDED, -1));
    }
}
