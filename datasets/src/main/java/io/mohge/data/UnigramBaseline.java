package io.mohge.data;

/**
 * Unigram baseline a language model must beat: cross-entropy of the validation tokens under the train split's
 * unigram distribution with add-one (Laplace) smoothing,
 * {@code H = -(1/N_val) * sum_v c_val(v) * ln((c_train(v) + 1) / (N_train + V))} in nats per token.
 */
public final class UnigramBaseline {

    private UnigramBaseline() {}

    /** @param trainCounts token counts of the train split, length V; @param valCounts same for the val split */
    public static double crossEntropyNats(long[] trainCounts, long[] valCounts) {
        if (trainCounts.length != valCounts.length) {
            throw new IllegalArgumentException("count arrays differ in vocabulary size");
        }
        long nTrain = 0;
        long nVal = 0;
        for (int v = 0; v < trainCounts.length; v++) {
            nTrain += trainCounts[v];
            nVal += valCounts[v];
        }
        if (nVal == 0) throw new IllegalArgumentException("val split is empty; no baseline to compute");
        double logDenominator = Math.log((double) nTrain + trainCounts.length);
        double sum = 0;
        for (int v = 0; v < valCounts.length; v++) {
            if (valCounts[v] > 0) sum += valCounts[v] * (Math.log(trainCounts[v] + 1.0) - logDenominator);
        }
        return -sum / nVal;
    }

    /** Re-computes the baseline by reading every shard of {@code data} (the manifest stores it too). */
    public static double scan(TokenDataset data) throws java.io.IOException {
        return crossEntropyNats(data.counts(Split.TRAIN), data.counts(Split.VAL));
    }
}
