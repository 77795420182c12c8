package io.mohge.mixture;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Which router (and later which expert) every sequence belongs to: one byte per sequence, 0..R-1.
 *
 * <p><b>Start.</b> {@link #randomBalanced}: a seeded Fisher-Yates shuffle (SplitMix64, so the same on every JDK)
 * dealt round-robin, so shares differ by at most one sequence.
 *
 * <p><b>Balanced assignment.</b> {@link #balanced}: every sequence would like the router under which its prefix is
 * most likely. With {@code capacity} no router takes more than {@code ceil(factor x n / R)} sequences. Sequences
 * are placed greedily, the most decided first: in decreasing order of the margin between their best and
 * second-best router's score (ties by index), each goes to the best router that still has room. A sequence that
 * clearly belongs to a router is therefore never pushed out by one that hardly prefers it. Without capacity
 * ({@code none}) every sequence takes its best router. Ties between routers go to the lower index, so the result
 * is a pure function of the scores.
 */
public final class Assignment {

    private Assignment() { }

    /** A random split of {@code n} sequences into {@code r} shares that differ by at most one. */
    public static byte[] randomBalanced(int n, int r, long seed) {
        int[] order = IntStream.range(0, n).toArray();
        long state = seed;
        for (int i = n - 1; i > 0; i--) {
            state += 0x9E3779B97F4A7C15L;
            int j = (int) Long.remainderUnsigned(mix(state), i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        byte[] out = new byte[n];
        for (int k = 0; k < n; k++) out[order[k]] = (byte) (k % r);
        return out;
    }

    /** The most sequences one router may take under the capacity rule. */
    public static int capacity(int n, int r, double factor) {
        long fair = ((long) n + r - 1) / r;
        return (int) Math.min(n, Math.max(fair, (long) Math.ceil(factor * n / r)));
    }

    /**
     * Assigns every sequence from its scores {@code [n][R]} (higher is better: log-likelihoods of the prefix).
     *
     * @param capacity the most sequences per router; {@code n} or more means no limit
     */
    public static byte[] balanced(double[][] scores, int capacity) {
        int n = scores.length;
        if (n == 0) return new byte[0];
        int r = scores[0].length;
        if ((long) capacity * r < n) {
            throw new IllegalArgumentException("capacity: " + r + " routers x " + capacity + " < " + n + " sequences");
        }
        int[][] ranked = new int[n][];
        double[] margin = new double[n];
        for (int i = 0; i < n; i++) {
            double[] s = scores[i];
            if (s.length != r) throw new IllegalArgumentException("scores: row " + i + " has " + s.length + " routers, not " + r);
            for (double v : s) {
                if (Double.isNaN(v)) throw new IllegalArgumentException("scores: row " + i + " holds NaN");
            }
            ranked[i] = IntStream.range(0, r).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(k -> -s[k]).thenComparingInt(k -> k))
                    .mapToInt(Integer::intValue).toArray();
            margin[i] = r == 1 ? 0 : s[ranked[i][0]] - s[ranked[i][1]];
        }
        byte[] out = new byte[n];
        if (capacity >= n) {
            for (int i = 0; i < n; i++) out[i] = (byte) ranked[i][0];
            return out;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -margin[i]).thenComparingInt(i -> i));
        int[] load = new int[r];
        for (int i : order) {
            for (int k : ranked[i]) {
                if (load[k] < capacity) {
                    load[k]++;
                    out[i] = (byte) k;
                    break;
                }
            }
        }
        return out;
    }

    /** Sequences per router. */
    public static int[] counts(byte[] assignment, int r) {
        int[] c = new int[r];
        for (byte a : assignment) c[a]++;
        return c;
    }

    /** Sequences whose router differs between two assignments of the same sequences. */
    public static int changed(byte[] a, byte[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("assignments of " + a.length + " and " + b.length);
        int c = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) c++;
        return c;
    }

    /** SplitMix64's output function (Steele, Lea, Flood 2014). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
