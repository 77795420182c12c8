package io.mohge.train;

import io.mohge.config.RunConfig;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;

/** The check that one validation batch fits the prepared validation split, in terms of the config's keys. */
final class ValidationSplit {

    private ValidationSplit() { }

    /** Throws IllegalArgumentException naming trainer.batch_size when the val split holds fewer windows than a batch. */
    static void requireOneBatch(RunConfig cfg, TokenDataset data) {
        int seqLen = cfg.model().seqLen();
        int batch = cfg.trainer().batchSize();
        long tokens = data.tokens(Split.VAL);
        long windows = Math.max(0, (tokens - 1) / seqLen);
        if (windows >= batch) return;
        throw new IllegalArgumentException("trainer.batch_size: a validation batch of " + batch + " sequences of "
                + "model.seq_len + 1 = " + ((long) seqLen + 1) + " tokens does not fit the validation split of "
                + data.dir() + " (" + tokens + " tokens, " + windows + " windows); "
                + (windows > 0 ? "use trainer.batch_size " + windows + " or less, " : "use a shorter model.seq_len, ")
                + "or raise data.val_fraction or use a larger corpus");
    }
}
