package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets made of chosen sequences of another dataset: content, reuse by Prepare, refusal when damaged. */
class SequenceSubsetTest {

    @TempDir
    Path tmp;

    private final Configuration hconf = new Configuration();

    private DataConfig source(DataConfig.Tokenizer tok) throws IOException {
        Path corpus = tmp.resolve("corpus.txt");
        Files.writeString(corpus, TestCorpus.fileText(TestCorpus.docs(300, 5)), StandardCharsets.UTF_8);
        DataConfig cfg = new DataConfig(corpus.toString(), tmp.resolve("src").toString(), tok, 300, 0.1, 1024, 0);
        Prepare.prepare(cfg, hconf);
        return cfg;
    }

    private static DataConfig derived(DataConfig src, String dir) {
        return new DataConfig(Corpus.DERIVED_PREFIX + "test subset", dir, src.tokenizer(), src.bpeVocabSize(),
                src.valFraction(), src.shardTokens(), src.maxCorpusBytes());
    }

    @Test
    void streamsAreTheChosenSequencesInOrderAndPrepareReusesThem() throws IOException {
        DataConfig src = source(DataConfig.Tokenizer.BYTE);
        DataConfig dst = derived(src, tmp.resolve("subset").toString());
        long[] train = {640, 16, 3200, 48, 16};            // any order, repeats allowed
        long[] val = {32, 0};
        try (TokenDataset in = TokenDataset.open(src.dir(), hconf)) {
            Manifest m = SequenceSubset.write(in, new SequenceSubset.Selection(16, train, val), dst, hconf);
            assertEquals(5, m.documentsTrain());
            assertEquals(Manifest.Params.of(dst), m.params());
            try (TokenDataset out = TokenDataset.open(dst.dir(), hconf)) {
                assertEquals(80, out.tokens(Split.TRAIN));
                for (int i = 0; i < train.length; i++) {
                    assertArrayEquals(in.read(Split.TRAIN, train[i], 16), out.read(Split.TRAIN, 16L * i, 16), "sequence " + i);
                }
                assertArrayEquals(in.read(Split.VAL, 0, 16), out.read(Split.VAL, 16, 16));
                BatchSampler s = out.trainSampler(16, 1, 0, 1);
                for (long w : s.assignedWindows()) assertEquals(0, w % 16, "windows start at sequence starts");
            }
        }
        PrepareResult again = Prepare.prepare(dst, hconf);
        assertTrue(again.reused(), "Prepare on the derived config reuses the written dataset");
    }

    @Test
    void aDamagedDerivedDatasetIsRefusedByNameAndLeftInPlace() throws IOException {
        DataConfig src = source(DataConfig.Tokenizer.BYTE);
        DataConfig dst = derived(src, tmp.resolve("subset").toString());
        long[] train = new long[100];
        for (int i = 0; i < train.length; i++) train[i] = 16L * i;
        try (TokenDataset in = TokenDataset.open(src.dir(), hconf)) {
            SequenceSubset.write(in, new SequenceSubset.Selection(16, train, new long[] {0}), dst, hconf);
        }
        Path shard = tmp.resolve("subset").resolve("train-00001.bin");
        Files.delete(shard);
        IOException e = assertThrows(IOException.class, () -> Prepare.prepare(dst, hconf));
        assertTrue(e.getMessage().contains("train-00001.bin") && e.getMessage().contains("derived"), e.getMessage());
        assertTrue(Files.exists(tmp.resolve("subset").resolve("train-00000.bin")), "the rest stays in place");
    }

    @Test
    void aBpeSubsetCarriesItsTokenizer() throws IOException {
        DataConfig src = source(DataConfig.Tokenizer.BPE);
        DataConfig dst = derived(src, tmp.resolve("bpe-subset").toString());
        try (TokenDataset in = TokenDataset.open(src.dir(), hconf)) {
            SequenceSubset.write(in, new SequenceSubset.Selection(8, new long[] {0, 8}, new long[] {0}), dst, hconf);
            try (TokenDataset out = TokenDataset.open(dst.dir(), hconf)) {
                assertEquals(in.vocabSize(), out.vocabSize());
                assertArrayEquals(in.tokenizer().encode("the parliament"), out.tokenizer().encode("the parliament"));
            }
        }
    }

    @Test
    void aTextCorpusIsNotADerivedOne() throws IOException {
        DataConfig src = source(DataConfig.Tokenizer.BYTE);
        try (TokenDataset in = TokenDataset.open(src.dir(), hconf)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SequenceSubset.write(in,
                    new SequenceSubset.Selection(8, new long[] {0}, new long[] {0}), src, hconf));
            assertTrue(e.getMessage().startsWith("corpus:"), e.getMessage());
        }
    }
}
