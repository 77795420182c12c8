package io.mohge.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Training batches for one rank of a data-parallel job: windows of {@code seqLen + 1} tokens of the train split
 * (inputs = first seqLen tokens, targets = the same shifted by one), shuffled per epoch, resumable.
 *
 * <p><b>Windows.</b> A unit is a contiguous token range; its windows start at {@code a + k * seqLen} and must fit
 * inside it ({@code k * seqLen + seqLen + 1 <= length}), so consecutive windows share one token and every token
 * is a target once.
 *
 * <p><b>Rank assignment</b> ({@code W = worldSize}, {@code n} train shards, {@code m = n / W}): shards
 * {@code 0 .. m*W-1} are dealt round-robin (shard {@code i} to rank {@code i mod W}); each is its own unit, so a
 * rank reads only its own shard files (HDFS locality, see {@link #ownedShards()}). The remaining {@code n mod W}
 * shards form one tail unit whose windows are striped (tail window {@code j} to rank {@code j mod W}); with fewer
 * shards than ranks ({@code m = 0}) this is pure window striding. Ranks therefore see disjoint windows whose
 * union is every window.
 *
 * <p><b>Epochs.</b> All ranks take the same number of windows per epoch, {@link #windowsPerEpoch()} = the smallest
 * rank's window count, so synchronous ranks stay in step. Epoch {@code e} is a Fisher-Yates shuffle of the rank's
 * windows driven by SplitMix64 (Steele et al. 2014) seeded from (seed, epoch, rank); its first
 * windowsPerEpoch windows are used (a rank with surplus windows drops a different random few each epoch).
 * A batch may straddle two epochs. {@link #position()} / {@link #seek} resume exactly.
 *
 * <p>Not thread-safe: one sampler per rank/thread (several samplers may share one {@link TokenDataset}).
 */
public final class BatchSampler {

    private final TokenDataset data;
    private final int seqLen;
    private final long seed;
    private final int rank;
    private final int worldSize;
    private final long[] windows;
    private final long perEpoch;
    private final int[] ownedShards;
    private long epoch;
    private long cursor;
    private long[] order;
    private long orderEpoch = -1;

    BatchSampler(TokenDataset data, int seqLen, long seed, int rank, int worldSize) {
        if (seqLen < 1) throw new IllegalArgumentException("seq_len: must be positive, got " + seqLen);
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank: " + rank + " must lie in 0.." + (worldSize - 1)
                    + " for world size " + worldSize);
        }
        this.data = data;
        this.seqLen = seqLen;
        this.seed = seed;
        this.rank = rank;
        this.worldSize = worldSize;
        int n = data.shardCount(Split.TRAIN);
        int full = n / worldSize * worldSize;
        long tailStart = data.shardStart(Split.TRAIN, full);
        long tailWindows = count(tailStart, data.tokens(Split.TRAIN));
        long min = Long.MAX_VALUE;
        for (int r = 0; r < worldSize; r++) {
            long c = tailWindows > r ? (tailWindows - r + worldSize - 1) / worldSize : 0;
            for (int i = r; i < full; i += worldSize) c += count(data.shardStart(Split.TRAIN, i), data.shardStart(Split.TRAIN, i + 1));
            min = Math.min(min, c);
        }
        if (min == 0) {
            throw new IllegalArgumentException("seq_len: the train split of " + data.dir() + " (" + data.tokens(Split.TRAIN)
                    + " tokens in " + n + " shards) gives some of the " + worldSize + " ranks no window of "
                    + (seqLen + 1) + " tokens; lower seq_len or the number of ranks, or prepare more data");
        }
        perEpoch = min;
        List<Long> mine = new ArrayList<>();
        List<Integer> owned = new ArrayList<>();
        for (int i = rank; i < full; i += worldSize) {
            owned.add(i);
            long a = data.shardStart(Split.TRAIN, i);
            for (long k = 0; k < count(a, data.shardStart(Split.TRAIN, i + 1)); k++) mine.add(a + k * seqLen);
        }
        for (long j = rank; j < tailWindows; j += worldSize) mine.add(tailStart + j * seqLen);
        windows = mine.stream().mapToLong(Long::longValue).toArray();
        ownedShards = owned.stream().mapToInt(Integer::intValue).toArray();
    }

    private long count(long a, long b) { return b - a >= seqLen + 1 ? (b - a - 1) / seqLen : 0; }

    /** Windows each rank uses per epoch. */
    public long windowsPerEpoch() { return perEpoch; }

    /** Train shard indices this rank reads exclusively (the striped tail shards are not listed). */
    public int[] ownedShards() { return ownedShards.clone(); }

    /** Start offsets (in the train stream) of every window assigned to this rank, unshuffled. */
    public long[] assignedWindows() { return windows.clone(); }

    /** Start offsets of the windows of epoch {@code e}, in the order they are served. */
    public long[] epochOrder(long e) {
        long[] w = windows.clone();
        SplitMix64 rng = new SplitMix64(seed ^ SplitMix64.mix(e * 0x9E3779B97F4A7C15L + rank));
        for (int i = w.length - 1; i > 0; i--) {
            int j = (int) rng.nextBounded(i + 1);
            long t = w[i];
            w[i] = w[j];
            w[j] = t;
        }
        return java.util.Arrays.copyOf(w, (int) perEpoch);
    }

    /** The next {@code batchSize} windows, each {@code seqLen + 1} tokens: {@code int[batchSize][seqLen + 1]}. */
    public int[][] next(int batchSize) throws IOException {
        long[] starts = nextWindows(batchSize);
        int[][] out = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) out[b] = data.read(Split.TRAIN, starts[b], seqLen + 1);
        return out;
    }

    /**
     * Advances like {@link #next} but returns only the start offsets (in the train stream) of the next
     * {@code batchSize} windows, without reading them: a data-parallel driver draws the global batch this way
     * and lets each worker read its own slice where the data lives.
     */
    public long[] nextWindows(int batchSize) {
        long[] starts = new long[batchSize];
        for (int b = 0; b < batchSize; b++) {
            if (cursor == perEpoch) {
                epoch++;
                cursor = 0;
            }
            if (orderEpoch != epoch) {
                order = epochOrder(epoch);
                orderEpoch = epoch;
            }
            starts[b] = order[(int) cursor++];
        }
        return starts;
    }

    /** Where the next batch starts. */
    public DataPosition position() {
        return new DataPosition(seed, rank, worldSize, seqLen, data.fingerprint(), epoch, cursor);
    }

    /** Continues from {@code p} (taken from a sampler over the same dataset, seed, rank, world size and seq_len). */
    public void seek(DataPosition p) {
        check("seed", p.seed(), seed);
        check("rank", p.rank(), rank);
        check("world_size", p.worldSize(), worldSize);
        check("seq_len", p.seqLen(), seqLen);
        if (p.fingerprint() != data.fingerprint()) {
            throw new IllegalArgumentException("fingerprint: the saved data position belongs to another dataset than "
                    + data.dir() + "; resume with the dataset the run was started on");
        }
        if (p.epoch() < 0 || p.cursor() < 0 || p.cursor() > perEpoch) {
            throw new IllegalArgumentException("cursor: epoch " + p.epoch() + " cursor " + p.cursor()
                    + " outside this dataset's 0.." + perEpoch + " windows per epoch");
        }
        epoch = p.epoch();
        cursor = p.cursor();
    }

    private static void check(String key, long saved, long current) {
        if (saved != current) {
            throw new IllegalArgumentException(key + ": saved data position has " + saved + " but this sampler has "
                    + current + "; resume with the same " + key);
        }
    }

    /** SplitMix64 generator (Steele, Lea, Flood 2014): fixed algorithm, so shuffles never change across JDKs. */
    static final class SplitMix64 {
        private long state;

        SplitMix64(long seed) { state = seed; }

        static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        long next() { return mix(state += 0x9E3779B97F4A7C15L); }

        /** Uniform in [0, bound) up to a bias below bound / 2^64. */
        long nextBounded(long bound) { return Long.remainderUnsigned(next(), bound); }
    }
}
