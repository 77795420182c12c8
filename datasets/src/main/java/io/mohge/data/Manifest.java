package io.mohge.data;

import io.mohge.json.JsonRecords;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@value #FILE_NAME}: the commit point of a prepared dataset (written last, atomically). Lists the shards of each
 * split with token counts and checksums, the tokenizer, the corpus and the parameters it was prepared with.
 * JSON keys are the snake_case component names; the constructor checks them (naming the key), so a manifest that
 * reads is one this build can use. It is read and written through {@link JsonRecords}; a problem becomes a
 * {@link ShardFormatException} naming the file and the key.
 *
 * @param format             always {@value #FORMAT}
 * @param formatVersion      manifest and shard format version ({@link ShardHeader#VERSION})
 * @param created            ISO-8601 creation time
 * @param tokenizer          {@code byte} or {@code bpe}
 * @param vocabSize          vocabulary size of every shard (a BPE may end below the requested size)
 * @param tokenizerFile      file holding the BPE merges, {@code null} for the byte tokenizer
 * @param endOfDocumentToken token appended after every document
 * @param params             creation parameters (compared to decide whether a prepare can be reused)
 * @param documentsTrain     documents in the train split
 * @param documentsVal       documents in the validation split
 * @param corpusBytesRead    raw corpus bytes consumed
 * @param unigramValNats     cross-entropy of the val split under the add-one-smoothed train unigram, nats/token
 * @param train              train shards in stream order
 * @param val                validation shards in stream order
 */
public record Manifest(String format, int formatVersion, String created, String tokenizer, int vocabSize,
                       String tokenizerFile, int endOfDocumentToken, Params params, long documentsTrain,
                       long documentsVal, long corpusBytesRead, double unigramValNats, List<ShardInfo> train,
                       List<ShardInfo> val) {

    public static final String FILE_NAME = "manifest.json";
    public static final String FORMAT = "mohge-token-shards";

    /**
     * The DataConfig values that determine the dataset's content ({@code dir} excluded; {@code bpe_vocab_size}
     * is 0 for the byte tokenizer, where it does not matter).
     */
    public record Params(String corpus, String tokenizer, int bpeVocabSize, double valFraction, int shardTokens,
                         long maxCorpusBytes) {
        public static Params of(DataConfig cfg) {
            boolean bpe = cfg.tokenizer() == DataConfig.Tokenizer.BPE;
            return new Params(cfg.corpus(), cfg.tokenizer().name().toLowerCase(java.util.Locale.ROOT),
                    bpe ? cfg.bpeVocabSize() : 0, cfg.valFraction(), cfg.shardTokens(), cfg.maxCorpusBytes());
        }
    }

    public Manifest {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", got " + quoted(format)
                    + "; this is not a " + FORMAT + " manifest");
        }
        if (formatVersion != ShardHeader.VERSION) {
            throw new IllegalArgumentException("format_version: " + formatVersion + ", this build reads version "
                    + ShardHeader.VERSION);
        }
        required(params, "params");
        required(tokenizer, "tokenizer");
        if (vocabSize < 1) throw new IllegalArgumentException("vocab_size: must be at least 1, got " + vocabSize);
        shardsPresent(train, "train");
        shardsPresent(val, "val");
    }

    public List<ShardInfo> shards(Split split) { return split == Split.TRAIN ? train : val; }

    public long tokens(Split split) { return shards(split).stream().mapToLong(ShardInfo::tokens).sum(); }

    public byte[] toJson() { return JsonRecords.write(this).getBytes(StandardCharsets.UTF_8); }

    /** Reads and checks a manifest; problems give a {@link ShardFormatException} naming the file and the key. */
    public static Manifest read(DataLocation file) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (var in = file.fs().open(file.path())) {
            in.transferTo(buf);
        }
        try {
            return JsonRecords.read(buf.toString(StandardCharsets.UTF_8), Manifest.class);
        } catch (IllegalArgumentException invalid) {
            throw new ShardFormatException(file.toString(), invalid.getMessage());
        }
    }

    private static void shardsPresent(List<ShardInfo> shards, String key) {
        required(shards, key);
        for (int i = 0; i < shards.size(); i++) required(required(shards.get(i), key + "[" + i + "]").file(),
                key + "[" + i + "].file");
    }

    private static <T> T required(T value, String key) {
        if (value == null) throw new IllegalArgumentException(key + ": missing");
        return value;
    }

    private static String quoted(String s) {
        return s == null ? "nothing (the key is missing)" : "\"" + s + "\"";
    }
}
