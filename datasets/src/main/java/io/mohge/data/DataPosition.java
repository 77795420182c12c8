package io.mohge.data;

import java.io.Serializable;

/**
 * Resumable position of a {@link BatchSampler}: the next batch is window {@code cursor} of epoch {@code epoch}'s
 * shuffled order. The other components identify the stream it belongs to; {@link BatchSampler#seek} refuses a
 * position whose seed, rank, world size, seq_len or dataset fingerprint differ. Plain fields: store it with Java
 * serialisation or as JSON (Gson reads and writes records).
 *
 * @param seed        shuffle seed
 * @param rank        rank of the sampler
 * @param worldSize   number of ranks
 * @param seqLen      sequence length (windows are seqLen + 1 tokens)
 * @param fingerprint {@link TokenDataset#fingerprint()} of the dataset
 * @param epoch       epoch, from 0
 * @param cursor      windows of this epoch already handed out
 */
public record DataPosition(long seed, int rank, int worldSize, int seqLen, long fingerprint, long epoch, long cursor)
        implements Serializable {
}
