package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Validation perplexity of a mixture the way it is served: each validation sequence (model.seq_len tokens plus the
 * next one) is routed on its first M tokens, and the chosen expert's loss is counted only on the tokens the router
 * did not see, the predictions of tokens {@code scoreFrom..T} (scoreFrom >= M; default M). Dense models are scored
 * on the same sequences and the same tokens, so every row of a table compares like with like.
 */
public final class MixtureEval {

    private static final int BATCH = 16;

    /**
     * @param loss    mean next-token cross-entropy over the counted tokens, nats
     * @param tokens  counted tokens
     * @param shares  sequences routed to each expert (empty for a dense model)
     */
    public record Result(double loss, long tokens, int[] shares) {
        public double perplexity() {
            return Math.exp(loss);
        }
    }

    private MixtureEval() { }

    /**
     * The validation sequences of {@code data} for sequences of {@code seqLen} tokens, at most {@code max} of them
     * spread evenly over the split (0 = all), each {@code seqLen + 1} tokens.
     */
    public static int[][] windows(TokenDataset data, int seqLen, int max) throws IOException {
        long[] starts = Sequences.of(data, seqLen).val();
        int n = max > 0 ? Math.min(max, starts.length) : starts.length;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) out[i] = data.read(Split.VAL, starts[(int) ((long) i * starts.length / n)], seqLen + 1);
        return out;
    }

    /** The mixture routed on the first {@code prefixTokens} tokens, scored from token {@code scoreFrom} on. */
    public static Result mixture(Mixture mix, int[][] windows, int prefixTokens, int scoreFrom) {
        check(prefixTokens, scoreFrom, mix.seqLen());
        int[][] prefixes = new int[windows.length][];
        for (int i = 0; i < windows.length; i++) prefixes[i] = Arrays.copyOf(windows[i], prefixTokens);
        int[] route = mix.route(prefixes, prefixTokens);
        int[] shares = new int[mix.size()];
        double sum = 0;
        long tokens = 0;
        for (int r = 0; r < mix.size(); r++) {
            List<int[]> mine = new ArrayList<>();
            for (int i = 0; i < windows.length; i++) if (route[i] == r) mine.add(windows[i]);
            shares[r] = mine.size();
            double[] s = sumLoss(mix.expert(r), mine, scoreFrom);
            sum += s[0];
            tokens += (long) s[1];
        }
        return new Result(sum / tokens, tokens, shares);
    }

    /** A single model on the same sequences and tokens. */
    public static Result dense(Transformer model, int[][] windows, int scoreFrom) {
        if (model.config().seqLen() + 1 != windows[0].length) {
            throw new BadInputException("--baseline: the model has seq_len " + model.config().seqLen()
                    + " but the mixture's sequences have " + (windows[0].length - 1) + " tokens; compare models of the "
                    + "same model.seq_len");
        }
        double[] s = sumLoss(model, Arrays.asList(windows), scoreFrom);
        return new Result(s[0] / s[1], (long) s[1], new int[0]);
    }

    static void check(int prefixTokens, int scoreFrom, int seqLen) {
        if (prefixTokens < 2 || prefixTokens >= seqLen) {
            throw new BadInputException("--prefix-tokens: " + prefixTokens + " must lie in 2.." + (seqLen - 1)
                    + " (the experts' sequences have " + seqLen + " tokens)");
        }
        if (scoreFrom < prefixTokens || scoreFrom > seqLen) {
            throw new BadInputException("--score-from: " + scoreFrom + " must lie in " + prefixTokens + ".."
                    + seqLen + ": the tokens the router saw are never counted");
        }
    }

    /**
     * Sum of the cross-entropies of the predictions of tokens scoreFrom..T of each window, and their count. Batches
     * are padded to a fixed size with uncounted rows, so the model allocates its buffers once.
     */
    private static double[] sumLoss(Transformer model, List<int[]> windows, int scoreFrom) {
        int t = model.config().seqLen();
        double sum = 0;
        double count = 0;
        for (int from = 0; from < windows.size(); from += BATCH) {
            int n = Math.min(BATCH, windows.size() - from);
            int[] tokens = new int[BATCH * t];
            int[] targets = new int[BATCH * t];
            double[] mask = new double[BATCH * t];
            for (int i = 0; i < BATCH; i++) {
                int[] w = windows.get(from + Math.min(i, n - 1));
                System.arraycopy(w, 0, tokens, i * t, t);
                System.arraycopy(w, 1, targets, i * t, t);
                if (i < n) for (int p = scoreFrom - 1; p < t; p++) mask[i * t + p] = 1;
            }
            double counted = (double) n * (t - scoreFrom + 1);
            double loss = model.forward(new Batch(BATCH, t, tokens, targets, mask), 0.0).losses().get(LossNames.LM);
            sum += loss * counted;
            count += counted;
        }
        return new double[] {sum, count};
    }
}
