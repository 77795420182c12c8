package io.mohge.train;

import io.mohge.engine.Transformer;

import java.util.Arrays;

/**
 * How often routing changes between consecutive tokens of a sequence, per routed layer, as sums that add up over
 * micro-batches, workers and log intervals. For each layer, over the pairs (t - 1, t) of positions of one sequence:
 * <pre>
 *   [PAIRS]      pairs counted
 *   [TOP1]       pairs whose top-1 expert (largest gate) differs
 *   [SET]        pairs whose expert set (as a set, order ignored) differs
 *   [DECISIONS]  pairs where the switch controller chose to switch (0 without a controller)
 * </pre>
 * The set switch rate is what an expert cache sees: a kept set never loads an expert.
 */
public final class SwitchCounts {

    public static final int PAIRS = 0;
    public static final int TOP1 = 1;
    public static final int SET = 2;
    public static final int DECISIONS = 3;
    public static final int FIELDS = 4;

    private SwitchCounts() { }

    /** [routed layers][FIELDS] of one forward over {@code sequences} rows of {@code seqLen} positions. */
    public static long[][] of(Transformer.Result r, int sequences, int seqLen) {
        int layers = r.expertSets().length;
        long[][] out = new long[layers][FIELDS];
        for (int i = 0; i < layers; i++) {
            out[i] = count(r.topExpert()[i], r.expertSets()[i], r.switchProb().length == 0 ? null : r.switched()[i],
                    sequences, seqLen);
        }
        return out;
    }

    /**
     * One layer's counts.
     *
     * @param top      [B*T] top-1 expert per position
     * @param sets     [B*T*K] expert set per position
     * @param switched [B*T] the controller's decisions, or null without a controller
     */
    public static long[] count(int[] top, int[] sets, boolean[] switched, int sequences, int seqLen) {
        int n = sequences * seqLen;
        int k = sets.length / n;
        long[] c = new long[FIELDS];
        int[] previous = new int[k];
        int[] current = new int[k];
        for (int b = 0; b < sequences; b++) {
            for (int t = 0; t < seqLen; t++) {
                int row = b * seqLen + t;
                System.arraycopy(sets, row * k, current, 0, k);
                Arrays.sort(current);
                if (t > 0) {
                    c[PAIRS]++;
                    if (top[row] != top[row - 1]) c[TOP1]++;
                    if (!Arrays.equals(current, previous)) c[SET]++;
                    if (switched != null && switched[row]) c[DECISIONS]++;
                }
                int[] swap = previous;
                previous = current;
                current = swap;
            }
        }
        return c;
    }

    /** a += b, element by element; a may be empty (then a copy of b is returned). */
    public static long[][] add(long[][] a, long[][] b) {
        if (a.length == 0) {
            long[][] copy = new long[b.length][];
            for (int i = 0; i < b.length; i++) copy[i] = b[i].clone();
            return copy;
        }
        for (int i = 0; i < a.length; i++) for (int f = 0; f < FIELDS; f++) a[i][f] += b[i][f];
        return a;
    }
}
