package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;

import java.io.IOException;
import java.util.Arrays;

/**
 * The units a mixture routes: sequences of {@code length} = model.seq_len tokens of the prepared dataset.
 * Train sequences are the windows a single-process trainer draws from ({@link io.mohge.data.BatchSampler}: they
 * start every {@code length} tokens and do not cross shard boundaries); validation sequences start every
 * {@code length} tokens of the validation stream. Each is read together with the token after it, so a sequence
 * gives {@code length} next-token predictions.
 *
 * @param length sequence length in tokens (model.seq_len)
 * @param train  start offsets in the train stream, ascending
 * @param val    start offsets in the validation stream, ascending
 */
public record Sequences(int length, long[] train, long[] val) {

    public Sequences {
        if (train.length == 0 || val.length == 0) {
            throw new BadInputException("data: the dataset holds " + train.length + " train and " + val.length
                    + " validation sequences of model.seq_len = " + length + " tokens; use more corpus, a larger "
                    + "data.val_fraction or a shorter model.seq_len");
        }
    }

    /** The sequences of {@code data} for {@code length}-token sequences. */
    public static Sequences of(TokenDataset data, int length) {
        long[] train;
        try {
            train = data.trainSampler(length, 0, 0, 1).assignedWindows();
        } catch (IllegalArgumentException e) { // rank 0 of 1 is valid: the data holds no window of length + 1
            train = new long[0];                // tokens, which the constructor refuses naming the keys
        }
        Arrays.sort(train);
        long valWindows = Math.max(0, (data.tokens(Split.VAL) - 1) / length);
        long[] val = new long[(int) valWindows];
        for (int i = 0; i < val.length; i++) val[i] = (long) i * length;
        return new Sequences(length, train, val);
    }

    public long[] starts(Split split) {
        return split == Split.TRAIN ? train : val;
    }

    /** The first {@code tokens} tokens of every sequence of {@code split}, [n][tokens]. */
    public int[][] prefixes(TokenDataset data, Split split, int tokens) throws IOException {
        if (tokens > length + 1) throw new IllegalArgumentException("prefix of " + tokens + " tokens > sequence + 1");
        long[] starts = starts(split);
        int[][] out = new int[starts.length][];
        for (int i = 0; i < starts.length; i++) out[i] = data.read(split, starts[i], tokens);
        return out;
    }

    /** The starts of the sequences of {@code split} assigned to router/expert {@code r}, in sequence order. */
    public long[] startsOf(Split split, byte[] assignment, int r) {
        long[] starts = starts(split);
        if (assignment.length != starts.length) {
            throw new IllegalArgumentException("assignment of " + assignment.length + " sequences for " + starts.length);
        }
        int n = 0;
        for (byte a : assignment) if (a == r) n++;
        long[] out = new long[n];
        int j = 0;
        for (int i = 0; i < starts.length; i++) if (assignment[i] == r) out[j++] = starts[i];
        return out;
    }
}
