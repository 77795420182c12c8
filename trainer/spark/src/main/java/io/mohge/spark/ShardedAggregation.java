package io.mohge.spark;

import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Sums the workers' gradients without sending any whole gradient to one place: each worker's task cuts its gradient
 * into {@link GradientBlocks} and emits (block id, piece); a shuffle brings the pieces of block b to one reduce task,
 * which sums them; the reduce tasks run in parallel on the executors, and the driver collects only the summed blocks
 * (one gradient's worth of bytes instead of one per worker). The small rest of the results (loss sums, routing counts,
 * timings) travels under the key {@value #STATS}.
 *
 * <p>Every reduce task sums its pieces in worker order, so the sum does not depend on the order in which the
 * shuffle delivers them: the result is the same on every run, for any number of workers.
 */
final class ShardedAggregation {

    /** The key of the non-gradient part of the results. */
    static final int STATS = -1;

    /** A worker's block of gradient, or (under {@link #STATS}) its other results. Exactly one of the two is set. */
    record Piece(int worker, float[] values, WorkerResult stats) implements Serializable {
        Piece {
            if (worker < 0) throw new IllegalArgumentException("worker index " + worker);
            if ((values == null) == (stats == null)) throw new IllegalArgumentException("a piece holds values or stats");
        }
    }

    /** What the aggregation produces: the summed gradient and the merged other results. */
    record Total(float[] gradSum, WorkerResult stats) { }

    private ShardedAggregation() { }

    /** The pieces one worker's task emits. */
    static List<Tuple2<Integer, Piece>> pieces(WorkerResult r, int worker, GradientBlocks blocks) {
        List<Tuple2<Integer, Piece>> out = new ArrayList<>(blocks.count() + 1);
        for (int b = 0; b < blocks.count(); b++) out.add(new Tuple2<>(b, new Piece(worker, blocks.slice(r.gradSum, b), null)));
        out.add(new Tuple2<>(STATS, new Piece(worker, null, r.statsOnly())));
        return out;
    }

    /** The sum of one key's pieces, taken in worker order. */
    static Piece sumInWorkerOrder(Iterable<Piece> pieces) {
        List<Piece> sorted = new ArrayList<>();
        pieces.forEach(sorted::add);
        if (sorted.isEmpty()) throw new IllegalArgumentException("no pieces to sum");
        sorted.sort(Comparator.comparingInt(Piece::worker));
        Piece first = sorted.get(0);
        if (first.stats() != null) {
            WorkerResult total = WorkerResult.empty();
            for (Piece p : sorted) total.merge(p.stats());
            return new Piece(first.worker(), null, total);
        }
        float[] sum = first.values().clone();
        for (Piece p : sorted.subList(1, sorted.size())) {
            float[] v = p.values();
            if (v.length != sum.length) throw new IllegalStateException("pieces of one block differ in length");
            for (int i = 0; i < sum.length; i++) sum[i] += v[i];
        }
        return new Piece(first.worker(), sum, null);
    }

    /** Sums the pieces of every worker block by block on the executors and brings the sums to the driver. */
    static Total aggregate(JavaPairRDD<Integer, Piece> pieces, GradientBlocks blocks) {
        List<Tuple2<Integer, Piece>> summed = pieces.groupByKey(blocks.count())
                .mapValues(ShardedAggregation::sumInWorkerOrder)
                .collect();
        float[] grad = new float[(int) blocks.size()];
        WorkerResult stats = null;
        int placed = 0;
        for (Tuple2<Integer, Piece> t : summed) {
            if (t._1() == STATS) {
                stats = t._2().stats();
            } else {
                blocks.place(t._2().values(), t._1(), grad);
                placed++;
            }
        }
        if (stats == null || placed != blocks.count()) {
            throw new IllegalStateException("sharded aggregation returned " + placed + " of " + blocks.count()
                    + " blocks" + (stats == null ? " and no statistics" : ""));
        }
        return new Total(grad, stats);
    }
}
