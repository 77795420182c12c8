package io.mohge.data;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileUtil;

/**
 * Writes a dataset whose train and validation streams are chosen sequences of another prepared dataset, e.g. the
 * share of the corpus one expert of a mixture trains on. The result is an ordinary dataset (shards in the format of
 * {@link ShardHeader}, {@value Manifest#FILE_NAME}, the BPE file when there is one) that {@link TokenDataset} and
 * {@link BatchSampler} read like any other, written through the Hadoop FileSystem API.
 *
 * <p><b>Streams.</b> The train stream is the concatenation, in the given order, of {@code length} tokens from each
 * train start; the same for validation. A sampler with {@code seq_len = length} then serves windows that begin
 * exactly at the chosen sequences: window j holds sequence j's tokens and, as its last target, the first token of
 * sequence j+1 (the way a window of an ordinary dataset runs over a document boundary).
 *
 * <p><b>Writing.</b> Like {@link Prepare}: the new dataset is built in a staging directory and then moved into
 * place, manifest last ({@link DatasetSwap}), so a reader never sees a partial dataset and an interrupted write
 * leaves the previous one. The manifest's parameters are {@link Manifest.Params#of} the target config, whose corpus
 * must start with {@value Corpus#DERIVED_PREFIX}: {@link Prepare} run on that config reuses the dataset as long as it
 * is intact and refuses, naming the damaged file, when it is not (there is no text to prepare it from).
 * {@code documents_train} / {@code documents_val} in the manifest count sequences; {@code corpus_bytes_read} is 0.
 */
public final class SequenceSubset {

    /**
     * The sequences to copy.
     *
     * @param length      tokens per sequence
     * @param trainStarts offsets in the source's train stream
     * @param valStarts   offsets in the source's validation stream
     */
    public record Selection(int length, long[] trainStarts, long[] valStarts) {
        public Selection {
            if (length < 1) throw new IllegalArgumentException("length: sequences need at least one token, got " + length);
            if (trainStarts.length == 0 || valStarts.length == 0) {
                throw new IllegalArgumentException("selection: a dataset needs train and validation sequences, got "
                        + trainStarts.length + " train and " + valStarts.length + " validation sequences");
            }
        }
    }

    private SequenceSubset() {}

    /**
     * Writes the selected sequences of {@code source} as the dataset of {@code target} (its {@code dir} and
     * parameters); an existing dataset there is replaced once the new one is complete.
     */
    public static Manifest write(TokenDataset source, Selection selection, DataConfig target, Configuration hconf)
            throws IOException {
        if (!target.corpus().startsWith(Corpus.DERIVED_PREFIX)) {
            throw new IllegalArgumentException("corpus: a derived dataset's corpus must start with "
                    + Corpus.DERIVED_PREFIX + ", got '" + target.corpus() + "'");
        }
        if (target.vocabSize() != source.vocabSize()) {
            throw new IllegalArgumentException("tokenizer: the target expects a vocabulary of " + target.vocabSize()
                    + " but " + source.dir() + " has " + source.vocabSize());
        }
        DataLocation dir = DataLocation.resolve(target.dir(), hconf);
        DatasetSwap.finishInterrupted(dir);
        DataLocation staging = DatasetSwap.stage(dir);
        Manifest m;
        try {
            m = build(source, selection, target, staging, hconf);
        } catch (IOException | RuntimeException e) {
            DatasetSwap.discard(staging);
            throw e;
        }
        DatasetSwap.install(staging, dir, m);
        return m;
    }

    private static Manifest build(TokenDataset source, Selection sel, DataConfig target, DataLocation out,
                                  Configuration hconf) throws IOException {
        String tokFile = source.manifest().tokenizerFile();
        if (tokFile != null) {
            DataLocation from = DataLocation.resolve(source.dir(), hconf).child(tokFile);
            DataLocation to = out.child(tokFile);
            if (!FileUtil.copy(from.fs(), from.path(), to.fs(), to.path(), false, hconf)) {
                throw new IOException(to + ": copying the tokenizer from " + from + " failed");
            }
        }
        int vocab = source.vocabSize();
        long[][] counts = new long[2][vocab];
        List<ShardInfo> train = copy(source, Split.TRAIN, sel.trainStarts(), sel.length(), out, target, counts[0]);
        List<ShardInfo> val = copy(source, Split.VAL, sel.valStarts(), sel.length(), out, target, counts[1]);
        Manifest m = new Manifest(Manifest.FORMAT, ShardHeader.VERSION, Instant.now().toString(),
                source.manifest().tokenizer(), vocab, tokFile, source.manifest().endOfDocumentToken(),
                Manifest.Params.of(target), sel.trainStarts().length, sel.valStarts().length, 0,
                UnigramBaseline.crossEntropyNats(counts[0], counts[1]), train, val);
        out.child(Manifest.FILE_NAME).writeAtomically(m.toJson());
        return m;
    }

    private static List<ShardInfo> copy(TokenDataset source, Split split, long[] starts, int length, DataLocation out,
                                        DataConfig target, long[] counts) throws IOException {
        ShardWriter w = new ShardWriter(out, split, source.vocabSize(), target.shardTokens());
        int[] buf = new int[length];
        for (long start : starts) {
            source.read(split, start, buf, 0, length);
            for (int t : buf) {
                w.add(t);
                counts[t]++;
            }
        }
        return w.finish();
    }
}
