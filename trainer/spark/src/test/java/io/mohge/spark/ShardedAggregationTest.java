package io.mohge.spark;

import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedAggregationTest {

    private static WorkerResult result(float[] grad, long switches, long fetch) {
        WorkerResult w = new WorkerResult();
        w.gradSum = grad;
        w.microBatches = 1;
        w.tokens = 10;
        long[] layer = new long[io.mohge.train.SwitchCounts.FIELDS];
        layer[0] = switches;
        w.switches = new long[][] {layer};
        w.fetchNanos = fetch;
        return w;
    }

    @Test
    void piecesAreTheBlocksPlusTheStatistics() {
        float[] g = {1, 2, 3, 4, 5};
        List<Tuple2<Integer, ShardedAggregation.Piece>> p = ShardedAggregation.pieces(result(g, 5, 7), 3,
                new GradientBlocks(5, 2));
        assertEquals(3, p.size());
        assertArrayEquals(new float[] {1, 2}, p.get(0)._2().values());
        assertArrayEquals(new float[] {3, 4, 5}, p.get(1)._2().values());
        assertEquals(ShardedAggregation.STATS, p.get(2)._1());
        assertNull(p.get(2)._2().stats().gradSum, "the statistics travel without the gradient");
        assertEquals(10, p.get(2)._2().stats().tokens);
        assertEquals(3, p.get(2)._2().worker());
    }

    @Test
    void sumsInWorkerOrderWhateverOrderThePiecesArriveIn() {
        // float addition is not associative: (1e8 + -1e8) + 1 = 1, but (1e8 + 1) + -1e8 = 0
        var w0 = new ShardedAggregation.Piece(0, new float[] {1e8f}, null);
        var w1 = new ShardedAggregation.Piece(1, new float[] {-1e8f}, null);
        var w2 = new ShardedAggregation.Piece(2, new float[] {1f}, null);
        for (var order : List.of(List.of(w0, w1, w2), List.of(w2, w0, w1), List.of(w1, w2, w0), List.of(w0, w2, w1))) {
            assertArrayEquals(new float[] {1f}, ShardedAggregation.sumInWorkerOrder(order).values(), 0f, "order " + order);
        }
        float arrival = (1e8f + 1f) + -1e8f;
        assertEquals(0f, arrival, "the order matters, which is why it is fixed");
    }

    @Test
    void statisticsMergeInWorkerOrder() {
        var s0 = new ShardedAggregation.Piece(0, null, result(new float[1], 1, 5).statsOnly());
        var s1 = new ShardedAggregation.Piece(1, null, result(new float[1], 2, 9).statsOnly());
        WorkerResult m = ShardedAggregation.sumInWorkerOrder(List.of(s1, s0)).stats();
        assertEquals(3, m.switches[0][0], "switch counts of both workers are summed");
        assertEquals(20, m.tokens);
        assertEquals(2, m.microBatches);
        assertEquals(9, m.fetchNanos, "the slowest worker's fetch");
        assertNull(m.gradSum);
    }

    @Test
    void mixedOrEmptyPiecesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ShardedAggregation.Piece(0, new float[1], new WorkerResult()));
        assertThrows(IllegalArgumentException.class, () -> new ShardedAggregation.Piece(0, null, null));
        assertThrows(IllegalArgumentException.class, () -> ShardedAggregation.sumInWorkerOrder(List.of()));
        assertTrue(new ShardedAggregation.Piece(1, new float[0], null).values().length == 0);
    }
}
