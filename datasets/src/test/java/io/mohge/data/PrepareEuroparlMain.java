package io.mohge.data;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-off measurement, not a test: prepares the whole built-in Europarl corpus with the byte tokenizer (or BPE)
 * into {@code args[0]} and logs the counts, time, unigram baseline and a full checksum verification.
 * Run: {@code java -cp <test classpath> io.mohge.data.PrepareEuroparlMain /tmp/ep-byte [byte|bpe] [bpe_vocab]}.
 */
public final class PrepareEuroparlMain {

    private static final Logger LOG = LoggerFactory.getLogger(PrepareEuroparlMain.class);

    private PrepareEuroparlMain() {}

    public static void main(String[] args) throws IOException {
        DataConfig.Tokenizer tok = args.length > 1 ? DataConfig.Tokenizer.valueOf(args[1].toUpperCase()) : DataConfig.Tokenizer.BYTE;
        int bpeVocab = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        DataConfig cfg = new DataConfig(Corpus.BUILTIN_EUROPARL, args[0], tok, bpeVocab, 0.05, 1 << 20, 0);
        Configuration hconf = new Configuration();
        PrepareResult r = Prepare.prepare(cfg, hconf, true);
        LOG.info("{}", r.summary());
        long t0 = System.nanoTime();
        try (TokenDataset d = TokenDataset.open(args[0], hconf)) {
            d.verify();
            LOG.info("verified every shard checksum in {} s; unigram baseline re-scanned: {} nats/token",
                    (System.nanoTime() - t0) / 1e9, UnigramBaseline.scan(d));
        }
    }
}
