package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpeTokenizerTest {

    static final List<String> DOCS = TestCorpus.docs(300, 5);

    static BpeTokenizer train(List<String> docs, int vocab) {
        BpeTrainer t = new BpeTrainer();
        docs.forEach(t::addDocument);
        return t.train(vocab);
    }

    @Test
    void learnsTheRequestedVocabularyDeterministically() {
        BpeTokenizer a = train(DOCS, 400);
        BpeTokenizer b = train(DOCS, 400);
        assertEquals(400, a.vocabSize());
        List<int[]> ma = a.merges();
        List<int[]> mb = b.merges();
        assertEquals(144, ma.size());
        for (int i = 0; i < ma.size(); i++) assertArrayEquals(ma.get(i), mb.get(i), "merge " + i);
        for (int[] m : ma) {
            assertTrue(m[0] != TextTokenizer.END_OF_DOCUMENT && m[1] != TextTokenizer.END_OF_DOCUMENT,
                    "a merge absorbed the end-of-document byte");
        }
    }

    @Test
    void firstMergeIsTheMostFrequentPairWithSmallestIdsOnTies() {
        // Chunks "ab" x3, "cd" x3: pairs (a,b) = (c,d) = 3, a tie won by the smaller left id.
        BpeTokenizer t = train(List.of("ab", "ab", "cd", "ab", "cd", "cd"), 258);
        assertArrayEquals(new int[] {'a', 'b'}, t.merges().get(0));
        assertArrayEquals(new int[] {'c', 'd'}, t.merges().get(1));
        assertArrayEquals(new int[] {256, ' ', 257, 'a'}, t.encode("ab cda"));
        // Chunks "xyz", " xyw": only (x,y) occurs twice; training stops after that merge.
        BpeTokenizer small = train(List.of("xyz xyw"), 1000);
        assertEquals(257, small.vocabSize());
        assertArrayEquals(new int[] {'x', 'y'}, small.merges().get(0));
    }

    @Test
    void encodeDecodeRoundTripsSeenAndUnseenText() {
        BpeTokenizer t = train(DOCS, 400);
        for (String d : DOCS) assertEquals(d, t.decode(t.encode(d)));
        String unseen = "Ünïcödé 漢字かな 😀👍🏽 tabs\tand  spaces, 12345 — «quotes» l’Union Straße";
        assertEquals(unseen, t.decode(t.encode(unseen)));
        int bytes = 0;
        int tokens = 0;
        for (String d : DOCS) {
            bytes += d.getBytes(StandardCharsets.UTF_8).length;
            tokens += t.encode(d).length;
        }
        assertTrue(tokens < 0.7 * bytes, "merges should compress the training text: " + tokens + " vs " + bytes);
        for (int id : t.encode(unseen)) assertTrue(id >= 0 && id < 400);
    }

    @Test
    void savesAndLoadsAsJson(@TempDir Path tmp) throws IOException {
        BpeTokenizer t = train(DOCS, 320);
        DataLocation f = DataLocation.resolve(tmp.resolve(BpeTokenizer.FILE_NAME).toString(), new Configuration());
        t.save(f);
        BpeTokenizer back = BpeTokenizer.load(f);
        assertEquals(t.vocabSize(), back.vocabSize());
        for (String d : DOCS.subList(0, 50)) assertArrayEquals(t.encode(d), back.encode(d));
        Files.writeString(tmp.resolve(BpeTokenizer.FILE_NAME), "{\"kind\":\"bpe\",\"version\":1,\"vocab_size\":258,"
                + "\"merges\":[[97,98],[256,999]]}");
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().contains(BpeTokenizer.FILE_NAME) && e.getMessage().contains("merge 1"), e.getMessage());
        Files.writeString(tmp.resolve(BpeTokenizer.FILE_NAME), "{\"kind\":\"bpe\",\"version\":1,\"merges\":[[97,98]]}");
        e = assertThrows(ShardFormatException.class, () -> BpeTokenizer.load(f));
        assertTrue(e.getMessage().contains(BpeTokenizer.FILE_NAME) && e.getMessage().contains("vocab_size: missing"),
                e.getMessage());
    }

    @Test
    void savedFileHasTheKeysOfEarlierBuilds(@TempDir Path tmp) throws IOException {
        DataLocation f = DataLocation.resolve(tmp.resolve(BpeTokenizer.FILE_NAME).toString(), new Configuration());
        new BpeTokenizer(List.of(new int[] {97, 98}, new int[] {256, 99})).save(f);
        assertEquals("{\"kind\":\"bpe\",\"version\":1,\"vocab_size\":258,\"merges\":[[97,98],[256,99]]}",
                Files.readString(tmp.resolve(BpeTokenizer.FILE_NAME)));
    }

    @Test
    void byteTokenizerIsUtf8() {
        ByteTokenizer t = new ByteTokenizer();
        assertArrayEquals(new int[] {0xC3, 0xA9, 'a'}, t.encode("éa"));
        assertEquals("éa\n", t.decode(new int[] {0xC3, 0xA9, 'a', TextTokenizer.END_OF_DOCUMENT}));
        assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(256));
    }
}
