package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corpus reading (built-in Europarl and text files), the split rule, the header codec, the unigram baseline. */
class CorpusAndFormatTest {

    private final Configuration hconf = new Configuration();

    private List<String> read(String spec, long max) throws IOException {
        List<String> docs = new ArrayList<>();
        new Corpus(spec, max, hconf).forEach(docs::add);
        return docs;
    }

    @Test
    void builtinEuroparlReadsTheBodiesFromTheLuceneJar() throws IOException {
        List<String> docs = new ArrayList<>();
        Corpus.Stats st = new Corpus(Corpus.BUILTIN_EUROPARL, 300_000, hconf).forEach(docs::add);
        assertTrue(st.bytesRead() <= 300_000 && st.bytesRead() > 250_000, "bytes read " + st.bytesRead());
        assertEquals(docs.size(), st.documents());
        assertTrue(docs.size() > 100, "documents " + docs.size());
        // First line of the resource: "(1)\t2004-03-30\tIstituzioni europee proteggerlo in tutti i campi. ..."
        assertTrue(docs.get(0).startsWith("Istituzioni europee proteggerlo in tutti i campi."), docs.get(0));
        for (String d : docs) assertFalse(d.contains("\t") || d.contains("\n"), d);
        assertTrue(docs.stream().anyMatch(d -> d.startsWith("till MAI-avtal")), "second line's body (Swedish)");
        assertTrue(Corpus.class.getClassLoader().getResource("META-INF/NOTICE-europarl.txt") != null);
        IOException e = assertThrows(IOException.class, () -> read("builtin:wiki", 0));
        assertTrue(e.getMessage().startsWith("corpus:"), e.getMessage());
    }

    @Test
    void builtinCorpusPreparesWithinTheByteBudget(@TempDir Path tmp) throws IOException {
        DataConfig cfg = new DataConfig(Corpus.BUILTIN_EUROPARL, tmp.resolve("ep").toString(), DataConfig.Tokenizer.BYTE,
                512, 0.05, 1 << 16, 400_000);
        PrepareResult r = Prepare.prepare(cfg, hconf);
        assertTrue(r.manifest().corpusBytesRead() <= 400_000);
        assertEquals(r.manifest().corpusBytesRead() - r.documents() /* newline per doc */,
                r.trainTokens() + r.valTokens() - r.documents() /* EOD per doc */ + titleAndDateBytes(400_000));
        try (TokenDataset d = TokenDataset.open(tmp.resolve("ep").toString(), hconf)) {
            assertTrue(d.unigramBaselineNats() > 2 && d.unigramBaselineNats() < Math.log(256), "baseline "
                    + d.unigramBaselineNats());
        }
    }

    /** Bytes of "title TAB date TAB" over the lines read within {@code max} (computed from the resource directly). */
    private static long titleAndDateBytes(long max) throws IOException {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
                Corpus.class.getClassLoader().getResourceAsStream(Corpus.EUROPARL_RESOURCE)),
                java.nio.charset.StandardCharsets.UTF_8))) {
            long read = 0;
            long extra = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long n = line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
                if (read + n > max) break;
                read += n;
                String[] f = line.split("\t", 3);
                extra += f[0].getBytes(java.nio.charset.StandardCharsets.UTF_8).length + f[1].length() + 2;
            }
            return extra;
        }
    }

    @Test
    void textFileSkipsBlankLinesStripsCrAndHonoursTheByteLimit(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("c.txt");
        Files.writeString(f, "first doc\r\n\n   \nsecond été\nthird\n");
        assertEquals(List.of("first doc", "second été", "third"), read(f.toString(), 0));
        assertEquals(List.of("first doc", "second été"), read(f.toString(), 11 + 1 + 4 + 12));  // stops before "third"
        assertEquals(List.of("first doc", "second été", "third"), read(f.toUri().toString(), 0));
        Files.write(f, new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        IOException e = assertThrows(IOException.class, () -> read(f.toString(), 0));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("UTF-8"), e.getMessage());
        e = assertThrows(IOException.class, () -> read(tmp.resolve("absent.txt").toString(), 0));
        assertTrue(e.getMessage().startsWith("corpus:") && e.getMessage().contains("absent.txt"), e.getMessage());
    }

    @Test
    void tooSmallCorpusIsRejectedWithAClearMessage(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("tiny.txt");
        Files.writeString(f, "one\ntwo\nthree\n");
        DataConfig cfg = new DataConfig(f.toString(), tmp.resolve("d").toString(), DataConfig.Tokenizer.BYTE, 512,
                0.05, 1024, 0);
        IOException e = assertThrows(IOException.class, () -> Prepare.prepare(cfg, hconf));
        assertTrue(e.getMessage().startsWith("corpus:") && e.getMessage().contains("at least 20"), e.getMessage());
    }

    @Test
    void splitSpreadsTheValidationDocumentsEvenly() {
        int val = 0;
        for (int i = 0; i < 1000; i++) {
            if (Split.of(i, 0.05) == Split.VAL) {
                val++;
                assertEquals(19, i % 20, "document " + i);
            }
        }
        assertEquals(50, val);
        long v3 = java.util.stream.IntStream.range(0, 999).filter(i -> Split.of(i, 0.3) == Split.VAL).count();
        assertEquals(299, v3);
    }

    @Test
    void headerRoundTripsAndChecksItself() throws ShardFormatException {
        ShardHeader h = new ShardHeader(1, 300, 2, 123_456_789_012L, 0xFEDCBA98L);
        byte[] b = h.toBytes();
        assertEquals(64, b.length);
        assertEquals(h, ShardHeader.parse(b, "x.bin"));
        assertEquals(64 + 2 * 123_456_789_012L, h.fileLength());
        b[25] ^= 1;
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> ShardHeader.parse(b, "x.bin"));
        assertTrue(e.getMessage().startsWith("x.bin: header checksum mismatch"), e.getMessage());
        assertEquals(4, ShardHeader.widthFor(65537));
        assertEquals(2, ShardHeader.widthFor(65536));
    }

    @Test
    void unigramBaselineMatchesHandComputation() {
        // V = 3, train counts (3, 1, 0): N = 4, smoothed p = (4/7, 2/7, 1/7). Val tokens {0, 2}.
        double h = UnigramBaseline.crossEntropyNats(new long[] {3, 1, 0}, new long[] {1, 0, 1});
        assertEquals(-(Math.log(4.0 / 7) + Math.log(1.0 / 7)) / 2, h, 1e-12);
        // Val distributed like the smoothed train distribution over a uniform train: ln V.
        assertEquals(Math.log(4), UnigramBaseline.crossEntropyNats(new long[] {5, 5, 5, 5}, new long[] {2, 2, 2, 2}), 1e-12);
    }
}
