package io.mohge.train;

import io.mohge.model.DecoderLM;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** Turns windows of {@code T + 1} tokens from the data module into the model's placeholders. */
final class Batches {

    private Batches() { }

    /**
     * Placeholders for one batch: tokens = window[0..T), targets = window[1..T], every position counted.
     *
     * @param windows [B][T + 1] token ids
     */
    static Map<String, INDArray> feed(DecoderLM lm, int[][] windows, double groupAuxScale) {
        int b = windows.length;
        int t = lm.config().seqLen();
        int[][] tokens = new int[b][t];
        int[][] targets = new int[b][t];
        for (int i = 0; i < b; i++) {
            if (windows[i].length != t + 1) {
                throw new IllegalStateException("batch window " + i + " has " + windows[i].length + " tokens, expected seq_len + 1 = "
                        + (t + 1));
            }
            System.arraycopy(windows[i], 0, tokens[i], 0, t);
            System.arraycopy(windows[i], 1, targets[i], 0, t);
        }
        INDArray mask = Nd4j.ones(b, t);
        return lm.feed(Nd4j.createFromArray(tokens), Nd4j.createFromArray(targets), mask, groupAuxScale); // [B, T] each
    }
}
