package io.mohge.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;

/**
 * A prepared dataset opened for reading: the manifest plus positioned reads over the shards of each split,
 * each split seen as one token stream (its shards concatenated in manifest order).
 *
 * <p>{@link #open} validates the manifest and every shard header and length (cheap); the payload checksum of a
 * shard is verified on its first read, or for all shards by {@link #verify()}. Any problem is a
 * {@link ShardFormatException} naming the file. Close it to release the open streams.
 */
public final class TokenDataset implements AutoCloseable {

    private final DataLocation dir;
    private final Manifest manifest;
    private final ShardReader[][] shards = new ShardReader[2][];
    private final long[][] starts = new long[2][];

    private TokenDataset(DataLocation dir, Manifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /** Opens the dataset in {@code dir} (URI or plain local path, as {@code data.dir}). */
    public static TokenDataset open(String dir, Configuration hconf) throws IOException {
        return open(DataLocation.resolve(dir, hconf));
    }

    static TokenDataset open(DataLocation dir) throws IOException {
        DataLocation mf = dir.child(Manifest.FILE_NAME);
        if (!dir.fs().exists(mf.path())) {
            throw new ShardFormatException(mf.toString(), "no manifest, so no prepared dataset here (run `mohge prepare` first)");
        }
        TokenDataset d = new TokenDataset(dir, Manifest.read(mf));
        try {
            for (Split s : Split.values()) d.openSplit(s);
        } catch (IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    private void openSplit(Split s) throws IOException {
        List<ShardInfo> infos = manifest.shards(s);
        if (infos.isEmpty()) throw new ShardFormatException(dir.child(Manifest.FILE_NAME).toString(), "no " + s.key() + " shards");
        ShardReader[] r = new ShardReader[infos.size()];
        long[] st = new long[infos.size() + 1];
        shards[s.ordinal()] = r;
        starts[s.ordinal()] = st;
        for (int i = 0; i < r.length; i++) {
            r[i] = new ShardReader(dir.child(infos.get(i).file()), infos.get(i), manifest.vocabSize());
            st[i + 1] = st[i] + r[i].tokens();
        }
    }

    public Manifest manifest() { return manifest; }

    public int vocabSize() { return manifest.vocabSize(); }

    /** Qualified URI of the dataset directory. */
    public String dir() { return dir.toString(); }

    /** Tokens in {@code split}. */
    public long tokens(Split split) { return starts[split.ordinal()][shards[split.ordinal()].length]; }

    /** Number of shards of {@code split}. */
    public int shardCount(Split split) { return shards[split.ordinal()].length; }

    /** Stream offset of the first token of shard {@code index} of {@code split}. */
    public long shardStart(Split split, int index) { return starts[split.ordinal()][index]; }

    /** Cross-entropy of the val split under the train unigram (add-one), nats/token, as stored in the manifest. */
    public double unigramBaselineNats() { return manifest.unigramValNats(); }

    /**
     * Reads {@code len} tokens of {@code split} starting at stream offset {@code offset} into {@code dst[dstOff..]};
     * the range may cross shard boundaries.
     */
    public void read(Split split, long offset, int[] dst, int dstOff, int len) throws IOException {
        long[] st = starts[split.ordinal()];
        ShardReader[] r = shards[split.ordinal()];
        if (offset < 0 || offset + len > st[r.length]) {
            throw new IndexOutOfBoundsException(split.key() + " tokens [" + offset + ", " + (offset + len)
                    + ") outside [0, " + st[r.length] + ")");
        }
        int i = java.util.Arrays.binarySearch(st, offset);
        i = i >= 0 ? i : -i - 2;
        while (len > 0) {
            while (offset >= st[i + 1]) i++;
            int n = (int) Math.min(len, st[i + 1] - offset);
            r[i].read(offset - st[i], dst, dstOff, n);
            offset += n;
            dstOff += n;
            len -= n;
        }
    }

    /** Convenience: a new array with {@code len} tokens from {@code offset}. */
    public int[] read(Split split, long offset, int len) throws IOException {
        int[] out = new int[len];
        read(split, offset, out, 0, len);
        return out;
    }

    /** Verifies the payload checksum of every shard now (otherwise done on each shard's first read). */
    public void verify() throws IOException {
        for (ShardReader[] rs : shards) for (ShardReader r : rs) r.verify();
    }

    /** Token frequencies of {@code split} (reads the whole split). */
    public long[] counts(Split split) throws IOException {
        long[] c = new long[vocabSize()];
        int[] buf = new int[1 << 16];
        long total = tokens(split);
        for (long at = 0; at < total; ) {
            int n = (int) Math.min(buf.length, total - at);
            read(split, at, buf, 0, n);
            for (int i = 0; i < n; i++) c[buf[i]]++;
            at += n;
        }
        return c;
    }

    /** The tokenizer the shards were made with (the BPE is loaded from its JSON file next to the shards). */
    public TextTokenizer tokenizer() throws IOException {
        if (manifest.tokenizerFile() == null) return new ByteTokenizer();
        BpeTokenizer t = BpeTokenizer.load(dir.child(manifest.tokenizerFile()));
        if (t.vocabSize() != vocabSize()) {
            throw new ShardFormatException(dir.child(manifest.tokenizerFile()).toString(), "vocabulary "
                    + t.vocabSize() + " but the manifest says " + vocabSize());
        }
        return t;
    }

    /** Shard paths of {@code split} with the hosts holding their blocks ({@code FileSystem.getFileBlockLocations}). */
    public List<ShardLocation> locations(Split split) throws IOException {
        List<ShardLocation> out = new ArrayList<>();
        ShardReader[] r = shards[split.ordinal()];
        for (int i = 0; i < r.length; i++) {
            DataLocation f = r[i].file();
            FileStatus st = f.fs().getFileStatus(f.path());
            Map<String, Long> bytesOnHost = new TreeMap<>();
            for (BlockLocation b : f.fs().getFileBlockLocations(st, 0, st.getLen())) {
                for (String h : b.getHosts()) bytesOnHost.merge(h, b.getLength(), Long::sum);
            }
            List<String> hosts = bytesOnHost.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                    .map(Map.Entry::getKey).toList();
            out.add(new ShardLocation(split, i, f.toString(), r[i].tokens(), st.getLen(), hosts));
        }
        return out;
    }

    /**
     * Identifies the dataset content: CRC32C over every shard's name, token count and checksum. Stored in
     * {@link DataPosition} so that a position is never applied to another dataset.
     */
    public long fingerprint() {
        CRC32C c = new CRC32C();
        for (Split s : Split.values()) {
            for (ShardInfo i : manifest.shards(s)) {
                c.update((i.file() + ":" + i.tokens() + ":" + i.crc32c() + ";").getBytes(StandardCharsets.UTF_8));
            }
        }
        return c.getValue();
    }

    /** Training batches for one rank; see {@link BatchSampler}. */
    public BatchSampler trainSampler(int seqLen, long seed, int rank, int worldSize) {
        return new BatchSampler(this, seqLen, seed, rank, worldSize);
    }

    /**
     * A fixed, deterministic list of validation batches, each {@code int[batchSize][seqLen + 1]}: windows at stride
     * {@code seqLen} over the val stream, {@code batchSize * k} of them spread evenly over it, where
     * {@code k = min(count, windows / batchSize)} (fewer batches than asked, with a warning, on a small val split).
     *
     * @throws IllegalArgumentException when the val split does not hold {@code batchSize} windows
     */
    public List<int[][]> valBatches(int seqLen, int batchSize, int count) throws IOException {
        if (seqLen < 1 || batchSize < 1 || count < 1) {
            throw new IllegalArgumentException("seq_len, batch size and count must be positive");
        }
        long windows = (tokens(Split.VAL) - 1) / seqLen;
        if (windows < batchSize) {
            throw new IllegalArgumentException("val split of " + dir + " has " + tokens(Split.VAL) + " tokens = "
                    + windows + " windows of seq_len+1 = " + (seqLen + 1) + ", fewer than one batch of " + batchSize
                    + "; raise val_fraction or use more corpus");
        }
        int k = (int) Math.min(count, windows / batchSize);
        if (k < count) {
            org.slf4j.LoggerFactory.getLogger(TokenDataset.class).warn(
                    "val split of {} holds only {} batches of {} x {} tokens; using {} instead of {}",
                    dir, k, batchSize, seqLen + 1, k, count);
        }
        long n = (long) k * batchSize;
        List<int[][]> out = new ArrayList<>();
        for (int b = 0; b < k; b++) {
            int[][] batch = new int[batchSize][];
            for (int j = 0; j < batchSize; j++) {
                long w = (b * (long) batchSize + j) * windows / n;
                batch[j] = read(Split.VAL, w * seqLen, seqLen + 1);
            }
            out.add(batch);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (ShardReader[] rs : shards) {
            if (rs == null) continue;
            for (ShardReader r : rs) {
                if (r == null) continue;
                try {
                    r.close();
                } catch (IOException e) {
                    if (first == null) first = e;
                }
            }
        }
        if (first != null) throw first;
    }
}
