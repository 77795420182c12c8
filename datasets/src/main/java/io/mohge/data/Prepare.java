package io.mohge.data;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mohge prepare}: tokenises a corpus into train/val shards plus {@value Manifest#FILE_NAME} in
 * {@code data.dir}, through the Hadoop FileSystem API (file://, hdfs://, plain local paths).
 *
 * <ol>
 *   <li>If {@code dir} holds a valid manifest with the same {@link Manifest.Params}, the dataset is reused.
 *       A manifest with other parameters is an error unless {@code overwrite} is set.</li>
 *   <li>A new dataset is built in a staging directory inside {@code dir} ({@link DatasetSwap}); the existing files
 *       are not touched until it is complete, so a prepare that fails (e.g. the corpus is gone) leaves a damaged
 *       dataset in place and names the damaged file.</li>
 *   <li>BPE only: one pass over the train documents learns the merges (saved as {@value BpeTokenizer#FILE_NAME}).</li>
 *   <li>One pass tokenises every document, appends {@link TextTokenizer#END_OF_DOCUMENT}, routes it to its
 *       split ({@link Split#of}) and cuts shards of {@code shard_tokens} tokens ({@link ShardWriter}).</li>
 *   <li>The complete new dataset replaces our own files in {@code dir} (shards, the BPE file), manifest last:
 *       a dataset without manifest is never used. Other files in the directory are left alone.</li>
 * </ol>
 */
public final class Prepare {

    private static final Logger LOG = LoggerFactory.getLogger(Prepare.class);

    private Prepare() {}

    /** Prepares without overwriting a different existing dataset. */
    public static PrepareResult prepare(DataConfig cfg, Configuration hconf) throws IOException {
        return prepare(cfg, hconf, false);
    }

    /**
     * Prepares (or reuses) the dataset described by {@code cfg}.
     *
     * @param overwrite replace a dataset prepared with other parameters in the same directory
     * @throws IOException on read/write errors, or when {@code dir} holds a different dataset and
     *                     {@code overwrite} is false (the message says both sets of parameters)
     */
    public static PrepareResult prepare(DataConfig cfg, Configuration hconf, boolean overwrite) throws IOException {
        long t0 = System.nanoTime();
        DataLocation dir = DataLocation.resolve(cfg.dir(), hconf);
        Manifest.Params params = Manifest.Params.of(cfg);
        DatasetSwap.finishInterrupted(dir);
        ShardFormatException damage = null;
        if (dir.fs().exists(dir.child(Manifest.FILE_NAME).path())) {
            Existing old = inspect(dir, params, overwrite);
            if (old.reusable() != null) {
                PrepareResult r = new PrepareResult(dir.toString(), true, old.reusable(), 0, seconds(t0));
                LOG.info("{}", r.summary());
                return r;
            }
            damage = old.damage();
        }
        DataLocation staging = DatasetSwap.stage(dir);
        Built built;
        try {
            built = build(cfg, staging, hconf);
        } catch (IOException | RuntimeException e) {
            DatasetSwap.discard(staging);
            if (damage != null) throw cannotRebuild(dir, damage, e);
            throw e;
        }
        DatasetSwap.install(staging, dir, built.manifest());
        PrepareResult r = new PrepareResult(dir.toString(), false, built.manifest(), built.bytesWritten(), seconds(t0));
        LOG.info("{}", r.summary());
        return r;
    }

    /** A new dataset written into {@code out} (the staging directory), manifest included. */
    private record Built(Manifest manifest, long bytesWritten) {}

    private static Built build(DataConfig cfg, DataLocation out, Configuration hconf) throws IOException {
        Manifest.Params params = Manifest.Params.of(cfg);
        Corpus corpus = new Corpus(cfg.corpus(), cfg.maxCorpusBytes(), hconf);
        TextTokenizer tok = cfg.tokenizer() == DataConfig.Tokenizer.BYTE ? new ByteTokenizer() : trainBpe(cfg, corpus);
        String tokFile = null;
        if (tok instanceof BpeTokenizer bpe) {
            tokFile = BpeTokenizer.FILE_NAME;
            bpe.save(out.child(tokFile));
        }
        ShardWriter train = new ShardWriter(out, Split.TRAIN, tok.vocabSize(), cfg.shardTokens());
        ShardWriter val = new ShardWriter(out, Split.VAL, tok.vocabSize(), cfg.shardTokens());
        long[][] counts = new long[2][tok.vocabSize()];
        long[] docs = new long[2];
        Corpus.Stats stats = corpus.forEach(doc -> {
            Split split = Split.of(docs[0] + docs[1], cfg.valFraction());
            ShardWriter w = split == Split.TRAIN ? train : val;
            long[] c = counts[split.ordinal()];
            for (int t : tok.encode(doc)) {
                w.add(t);
                c[t]++;
            }
            w.add(TextTokenizer.END_OF_DOCUMENT);
            c[TextTokenizer.END_OF_DOCUMENT]++;
            docs[split.ordinal()]++;
        });
        List<ShardInfo> trainShards = train.finish();
        List<ShardInfo> valShards = val.finish();
        if (trainShards.isEmpty() || valShards.isEmpty()) {
            throw new IOException("corpus: " + cfg.corpus() + " gave " + stats.documents() + " documents ("
                    + docs[1] + " for validation); with val_fraction " + cfg.valFraction() + " at least "
                    + (long) Math.ceil(1 / cfg.valFraction()) + " non-blank lines are needed (check max_corpus_bytes "
                    + cfg.maxCorpusBytes() + ")");
        }
        Manifest m = new Manifest(Manifest.FORMAT, ShardHeader.VERSION, Instant.now().toString(), tok.kind(),
                tok.vocabSize(), tokFile, TextTokenizer.END_OF_DOCUMENT, params, docs[0], docs[1], stats.bytesRead(),
                UnigramBaseline.crossEntropyNats(counts[0], counts[1]), trainShards, valShards);
        out.child(Manifest.FILE_NAME).writeAtomically(m.toJson());
        return new Built(m, train.bytesWritten() + val.bytesWritten());
    }

    /**
     * What is in {@code dir} already: a dataset to reuse, or one to replace (with the damage found, if that is why).
     */
    private record Existing(Manifest reusable, ShardFormatException damage) {}

    /** Throws if the existing dataset may not be replaced. */
    private static Existing inspect(DataLocation dir, Manifest.Params params, boolean overwrite) throws IOException {
        Manifest old;
        try {
            old = Manifest.read(dir.child(Manifest.FILE_NAME));
        } catch (ShardFormatException e) {
            if (!overwrite) throw refuse(dir, "an unreadable manifest (" + e.getMessage() + ")", params);
            return new Existing(null, e);
        }
        if (!old.params().equals(params)) {
            if (!overwrite) throw refuse(dir, "a dataset prepared with " + old.params(), params);
            LOG.warn("{}: replacing the dataset prepared with {} (overwrite requested)", dir, old.params());
            return new Existing(null, null);
        }
        try {
            TokenDataset.open(dir).close();   // validates every shard header and length
            return new Existing(old, null);
        } catch (ShardFormatException e) {
            LOG.warn("{}: same parameters but damaged ({}); preparing again", dir, e.getMessage());
            return new Existing(null, e);
        }
    }

    private static IOException refuse(DataLocation dir, String what, Manifest.Params wanted) {
        return new IOException("dir: " + dir + " already holds " + what + "; requested " + wanted
                + ". Choose another data.dir, or run `mohge prepare --overwrite` to replace it");
    }

    private static IOException cannotRebuild(DataLocation dir, ShardFormatException damage, Exception cause) {
        return new IOException("dir: " + damage.file() + " is damaged (" + damage.problem() + ") and the dataset cannot "
                + "be rebuilt: " + cause.getMessage() + ". Every file in " + dir + " was left in place; make data.corpus "
                + "readable again and re-run `mohge prepare`, or restore the damaged file", cause);
    }

    private static BpeTokenizer trainBpe(DataConfig cfg, Corpus corpus) throws IOException {
        long t0 = System.nanoTime();
        BpeTrainer trainer = new BpeTrainer();
        long[] index = {0};
        corpus.forEach(doc -> {
            if (Split.of(index[0]++, cfg.valFraction()) == Split.TRAIN) trainer.addDocument(doc);
        });
        BpeTokenizer t = trainer.train(cfg.bpeVocabSize());
        LOG.info("BPE trained on {} documents: vocabulary {} in {} s", index[0], t.vocabSize(),
                String.format(java.util.Locale.ROOT, "%.1f", seconds(t0)));
        return t;
    }

    private static double seconds(long t0) { return (System.nanoTime() - t0) / 1e9; }
}
