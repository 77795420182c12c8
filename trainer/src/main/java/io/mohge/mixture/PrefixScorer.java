package io.mohge.mixture;

import io.mohge.engine.Batch;
import io.mohge.engine.Decoder;
import io.mohge.engine.Transformer;

/**
 * How well one router explains sequence prefixes: the log-likelihood of a prefix of M tokens,
 * {@code sum_{t=1..M-1} log p(x_t | x_0..x_{t-1})} (the first token has no context and counts for no router). Many
 * prefixes are scored in batches through a copy of the router built for M - 1 positions ({@link #score}); a single
 * prompt of any length goes through the router's key/value-cache decoder ({@link #scorePrompt}), which equals the
 * full forward pass.
 */
public final class PrefixScorer {

    private static final int BATCH = 64;

    private final LmWeights router;
    private final int prefixTokens;
    private Transformer batched;
    private Decoder decoder;

    public PrefixScorer(LmWeights router, int prefixTokens) {
        if (prefixTokens < 2) throw new IllegalArgumentException("prefix_tokens: at least 2 tokens, got " + prefixTokens);
        this.router = router;
        this.prefixTokens = prefixTokens;
    }

    /** Log-likelihoods of prefixes of exactly M tokens each. */
    public double[] score(int[][] prefixes) {
        if (batched == null) batched = router.model(prefixTokens - 1);
        int t = prefixTokens - 1;
        int vocab = router.config().vocabSize();
        double[] out = new double[prefixes.length];
        int[][] windows = new int[BATCH][];
        for (int from = 0; from < prefixes.length; from += BATCH) {
            int n = Math.min(BATCH, prefixes.length - from);
            for (int i = 0; i < BATCH; i++) {
                int[] p = prefixes[from + Math.min(i, n - 1)];           // pad the last batch with its last prefix
                if (p.length != prefixTokens) {
                    throw new IllegalArgumentException("prefix " + (from + i) + " has " + p.length + " tokens, not " + prefixTokens);
                }
                windows[i] = p;
            }
            float[] logits = batched.logits(Batch.ofWindows(windows, t)).reshape(-1).toFloatVector();
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int pos = 0; pos < t; pos++) {
                    sum += logProb(logits, (i * t + pos) * vocab, vocab, windows[i][pos + 1]);
                }
                out[from + i] = sum;
            }
        }
        return out;
    }

    /** Log-likelihood of the first min(M, length) tokens of one prompt. */
    public double scorePrompt(int[] prompt) {
        if (decoder == null) decoder = router.model().decoder();
        decoder.reset();
        int n = Math.min(prefixTokens, prompt.length);
        double sum = 0;
        for (int pos = 0; pos + 1 < n; pos++) {
            double[] logits = decoder.next(prompt[pos]);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits) max = Math.max(max, v);
            double z = 0;
            for (double v : logits) z += Math.exp(v - max);
            sum += logits[prompt[pos + 1]] - max - Math.log(z);
        }
        return sum;
    }

    private static double logProb(float[] logits, int offset, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
        double z = 0;
        for (int v = 0; v < vocab; v++) z += Math.exp(logits[offset + v] - max);
        return logits[offset + target] - max - Math.log(z);
    }
}
