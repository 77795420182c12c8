package io.mohge.data;

/**
 * What {@link Prepare#prepare} did.
 *
 * @param dir            dataset directory (qualified URI)
 * @param reused         true when an existing dataset with the same parameters was kept as it was
 * @param manifest       the dataset's manifest (documents, tokens, shards per split, unigram baseline)
 * @param bytesWritten   bytes of shard files written (0 when reused)
 * @param seconds        wall time of the call
 */
public record PrepareResult(String dir, boolean reused, Manifest manifest, long bytesWritten, double seconds) {

    public long documents() { return manifest.documentsTrain() + manifest.documentsVal(); }

    public long trainTokens() { return manifest.tokens(Split.TRAIN); }

    public long valTokens() { return manifest.tokens(Split.VAL); }

    public int shards() { return manifest.train().size() + manifest.val().size(); }

    /** One-line summary for logs and the CLI. */
    public String summary() {
        return String.format(java.util.Locale.ROOT,
                "%s %s: %d docs (train %d, val %d), tokens train %d / val %d, %d shards, %d bytes written, "
                        + "vocab %d (%s), unigram val baseline %.4f nats/token, %.1f s",
                reused ? "reused" : "prepared", dir, documents(), manifest.documentsTrain(), manifest.documentsVal(),
                trainTokens(), valTokens(), shards(), bytesWritten, manifest.vocabSize(), manifest.tokenizer(),
                manifest.unigramValNats(), seconds);
    }
}
