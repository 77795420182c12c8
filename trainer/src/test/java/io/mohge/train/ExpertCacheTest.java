package io.mohge.train;

import io.mohge.model.ModelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The LRU expert-cache simulation on hand-made routing traces, counted by hand. */
class ExpertCacheTest {

    private static final long[] BYTES = {10, 20, 30, 40};

    @Test
    void topOneTraceLoadsEveryMissAndEvictsTheLeastRecentlyUsed() {
        ExpertCache cache = new ExpertCache(1, 2, BYTES);
        // 0 miss [0]; 1 miss [1 0]; 0 hit [0 1]; 2 miss, evicts 1 [2 0]; 1 miss, evicts 0 [1 2]; 1 hit;
        // 3 miss, evicts 2 [3 1]; 0 miss, evicts 1 [0 3]
        int[] trace = {0, 1, 0, 2, 1, 1, 3, 0};
        cache.feed(new int[][] {trace}, trace.length);
        assertEquals(6, cache.loads());
        assertEquals(10 + 20 + 30 + 20 + 40 + 10, cache.bytes());
        assertEquals(8, cache.tokens());
        assertEquals(0.75, cache.loadsPerToken(), 1e-12);
        assertEquals(130.0 / 8, cache.bytesPerToken(), 1e-12);
    }

    @Test
    void expertSetsShareTheLayersCacheAndKeptSetsNeverLoad() {
        // layer 0: K = 2 of capacity 3; layer 1 keeps one set throughout (what a never-switching controller gives)
        int[] layer0 = {0, 1, 1, 2, 2, 3, 2, 3, 0, 3};
        int[] layer1 = {3, 2, 3, 2, 2, 3, 3, 2, 2, 3};
        ExpertCache cache = new ExpertCache(2, 3, BYTES);
        cache.feed(new int[][] {layer0, layer1}, 5);
        // layer 0: {0,1} loads 0 and 1; {1,2} loads 2; {2,3} loads 3 evicting 0; {2,3} hits; {0,3} loads 0 evicting 1
        // layer 1: {3,2} loads 3 and 2, then only hits
        assertEquals(5 + 2, cache.loads());
        assertEquals((10 + 20 + 30 + 40 + 10) + (40 + 30), cache.bytes());
        assertEquals(7.0 / 5, cache.loadsPerToken(), 1e-12);
        ExpertCache small = new ExpertCache(1, 1, BYTES);
        small.feed(new int[][] {{2, 2, 2, 2}}, 4);
        assertEquals(1, small.loads(), "a repeated expert is loaded once");
    }

    @Test
    void defaultSizesAndExpertBytes() {
        assertArrayEquals(new int[] {2, 4}, ExpertCache.defaultSizes(8));
        assertArrayEquals(new int[] {1}, ExpertCache.defaultSizes(2));
        long[] bytes = ExpertCache.expertBytes(ModelConfig.DEFAULTS, 4);     // 4 groups x 2, widths 128..320, d 128
        assertEquals(8, bytes.length);
        assertEquals(3L * 128 * 128 * 4, bytes[0]);
        assertEquals(3L * 128 * 320 * 4, bytes[7]);
        assertThrows(IllegalArgumentException.class, () -> new ExpertCache(1, 0, BYTES));
    }
}
