package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.TrainerConfig;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;

import java.io.IOException;
import java.util.List;

/**
 * The check that one validation batch fits the prepared validation split, in terms of the config's keys (the
 * datasets module's own refusal names only its arguments).
 */
public final class ValidationSplit {

    private ValidationSplit() { }

    /**
     * The validation batches of the trainer's settings (batch_size, eval_batches) for a model of {@code seqLen} (e.g.
     * a checkpoint's or an export's), refused as bad input when the val split holds fewer windows than a batch.
     */
    public static List<int[][]> batches(TokenDataset data, int seqLen, TrainerConfig trainer) throws IOException {
        requireOneBatch(data, seqLen, trainer.batchSize());
        return data.valBatches(seqLen, trainer.batchSize(), trainer.evalBatches());
    }

    /** Throws BadInputException naming trainer.batch_size when the val split holds fewer windows than a batch. */
    static void requireOneBatch(TokenDataset data, int seqLen, int batch) {
        long tokens = data.tokens(Split.VAL);
        long windows = Math.max(0, (tokens - 1) / seqLen);
        if (windows >= batch) return;
        throw new BadInputException("trainer.batch_size: a validation batch of " + batch + " sequences of "
                + "model.seq_len + 1 = " + ((long) seqLen + 1) + " tokens does not fit the validation split of "
                + data.dir() + " (" + tokens + " tokens, " + windows + " windows); "
                + (windows > 0 ? "use trainer.batch_size " + windows + " or less, " : "use a shorter model.seq_len, ")
                + "or raise data.val_fraction or use a larger corpus");
    }
}
