package io.mohge.engine;

import java.util.Arrays;

/**
 * One batch of B sequences of T positions, flattened in (sequence, position) order: input tokens, next-token
 * targets and a loss mask (1 = position counted, 0 = padding).
 */
public record Batch(int sequences, int seqLen, int[] tokens, int[] targets, double[] mask) {

    public Batch {
        int n = sequences * seqLen;
        if (sequences < 1 || seqLen < 1) {
            throw new IllegalArgumentException("batch: need at least one sequence of at least one position");
        }
        if (tokens.length != n || targets.length != n || mask.length != n) {
            throw new IllegalArgumentException("batch: " + sequences + " x " + seqLen + " positions but " + tokens.length
                    + " tokens, " + targets.length + " targets and " + mask.length + " mask values");
        }
    }

    /**
     * Windows of T + 1 tokens from the data pipeline: tokens = window[0..T), targets = window[1..T], every position
     * counted.
     */
    public static Batch ofWindows(int[][] windows, int seqLen) {
        int b = windows.length;
        int[] tokens = new int[b * seqLen];
        int[] targets = new int[b * seqLen];
        for (int i = 0; i < b; i++) {
            if (windows[i].length != seqLen + 1) {
                throw new IllegalArgumentException("batch window " + i + " has " + windows[i].length
                        + " tokens, expected seq_len + 1 = " + (seqLen + 1));
            }
            System.arraycopy(windows[i], 0, tokens, i * seqLen, seqLen);
            System.arraycopy(windows[i], 1, targets, i * seqLen, seqLen);
        }
        double[] mask = new double[b * seqLen];
        Arrays.fill(mask, 1.0);
        return new Batch(b, seqLen, tokens, targets, mask);
    }

    /** Token rows only (no targets), e.g. for logits: targets 0 and mask 0. */
    public static Batch ofTokens(int[][] rows) {
        int b = rows.length;
        int t = rows[0].length;
        int[] tokens = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (rows[i].length != t) throw new IllegalArgumentException("batch: rows of different lengths");
            System.arraycopy(rows[i], 0, tokens, i * t, t);
        }
        return new Batch(b, t, tokens, new int[b * t], new double[b * t]);
    }

    public int positions() {
        return sequences * seqLen;
    }
}
