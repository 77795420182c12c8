package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Prepare / read contract, run once per file system (local FS and a MiniDFSCluster) by the subclasses.
 * Shards of 4096 tokens (8256 bytes) span several HDFS blocks in {@link HdfsDatasetTest}.
 */
abstract class DatasetContractTest {

    static final int SHARD_TOKENS = 4096;
    static final double VAL = 0.1;
    static final List<String> DOCS = TestCorpus.docs(400, 42);

    /** URI (or plain path) of a fresh location named {@code name} on the file system under test. */
    abstract String location(String name);

    abstract Configuration hconf();

    String writeCorpus(String name) throws IOException {
        String uri = location(name);
        write(uri, TestCorpus.fileText(DOCS).getBytes(StandardCharsets.UTF_8));
        return uri;
    }

    DataConfig config(String corpus, String dir, DataConfig.Tokenizer tok) {
        return new DataConfig(corpus, dir, tok, 300, VAL, SHARD_TOKENS, 0);
    }

    byte[] readAll(String uri) throws IOException {
        DataLocation f = DataLocation.resolve(uri, hconf());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var in = f.fs().open(f.path())) {
            in.transferTo(out);
        }
        return out.toByteArray();
    }

    void write(String uri, byte[] bytes) throws IOException {
        DataLocation f = DataLocation.resolve(uri, hconf());
        try (FSDataOutputStream out = f.fs().create(f.path(), true)) {
            out.write(bytes);
        }
    }

    /** A prepared byte-level dataset; returns its dir. */
    String prepared(String name) throws IOException {
        String dir = location(name);
        Prepare.prepare(config(writeCorpus(name + ".txt"), dir, DataConfig.Tokenizer.BYTE), hconf());
        return dir;
    }

    @Test
    void prepareThenReadBackEqualsTokenisedText() throws IOException {
        String dir = location("roundtrip");
        PrepareResult r = Prepare.prepare(config(writeCorpus("roundtrip.txt"), dir, DataConfig.Tokenizer.BYTE), hconf());
        assertFalse(r.reused());
        int[] train = TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL);
        int[] val = TestCorpus.expectedBytes(DOCS, Split.VAL, VAL);
        assertEquals(400, r.documents());
        assertEquals(40, r.manifest().documentsVal());
        assertEquals(train.length, r.trainTokens());
        assertEquals(val.length, r.valTokens());
        assertEquals((train.length + SHARD_TOKENS - 1) / SHARD_TOKENS, r.manifest().train().size());
        assertTrue(r.manifest().train().size() > 3, "corpus should give several train shards");
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            assertEquals(256, d.vocabSize());
            assertArrayEquals(train, d.read(Split.TRAIN, 0, train.length));
            assertArrayEquals(val, d.read(Split.VAL, 0, val.length));
            assertEquals(TestCorpus.expectedText(DOCS, Split.TRAIN, VAL), d.tokenizer().decode(d.read(Split.TRAIN, 0, train.length)));
            d.verify();
            assertEquals(UnigramBaseline.scan(d), d.unigramBaselineNats(), 1e-12);
            for (ShardLocation loc : d.locations(Split.TRAIN)) {
                assertFalse(loc.hosts().isEmpty(), "no host for " + loc.path());
                assertTrue(loc.path().startsWith(d.dir()), loc.path());
            }
        }
    }

    @Test
    void positionedReadsAtRandomOffsetsMatch() throws IOException {
        String dir = prepared("random");
        int[] train = TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL);
        Random rnd = new Random(7);
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            for (int k = 0; k < 200; k++) {
                int len = 1 + rnd.nextInt(3000);
                int off = rnd.nextInt(train.length - len + 1);
                int[] got = d.read(Split.TRAIN, off, len);
                assertArrayEquals(java.util.Arrays.copyOfRange(train, off, off + len), got, "offset " + off);
            }
            // Exactly across every shard boundary.
            for (int s = 1; s < d.shardCount(Split.TRAIN); s++) {
                long b = d.shardStart(Split.TRAIN, s);
                assertArrayEquals(java.util.Arrays.copyOfRange(train, (int) b - 5, (int) b + 5),
                        d.read(Split.TRAIN, b - 5, 10));
            }
            assertThrows(IndexOutOfBoundsException.class, () -> d.read(Split.TRAIN, train.length - 3, 4));
        }
    }

    @Test
    void corruptPayloadByteFailsWithChecksumErrorNamingFile() throws IOException {
        String dir = prepared("corrupt");
        String shard = dir + "/train-00001.bin";
        byte[] b = readAll(shard);
        b[ShardHeader.SIZE + 1000] ^= 0x01;
        write(shard, b);
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {   // header and length are still fine
            assertArrayEquals(java.util.Arrays.copyOf(TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL), 10),
                    d.read(Split.TRAIN, 0, 10)); // shard 0 is intact
            ShardFormatException e = assertThrows(ShardFormatException.class,
                    () -> d.read(Split.TRAIN, SHARD_TOKENS + 3, 5));
            assertTrue(e.getMessage().contains("train-00001.bin") && e.getMessage().contains("checksum mismatch"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("mohge prepare"), e.getMessage());
            assertThrows(ShardFormatException.class, d::verify);
        }
    }

    @Test
    void truncatedShardIsRejectedOnOpen() throws IOException {
        String dir = prepared("truncated");
        String shard = dir + "/val-00000.bin";
        byte[] b = readAll(shard);
        write(shard, java.util.Arrays.copyOf(b, b.length - 3));
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("val-00000.bin") && e.getMessage().contains("truncated"), e.getMessage());
        write(shard, java.util.Arrays.copyOf(b, 20));
        e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("val-00000.bin") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void wrongMagicVersionOrVocabIsRejectedOnOpen() throws IOException {
        String dir = prepared("header");
        String shard = dir + "/train-00000.bin";
        byte[] good = readAll(shard);

        byte[] b = good.clone();
        b[0] = 'X';
        write(shard, b);
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("train-00000.bin") && e.getMessage().contains("bad magic"), e.getMessage());

        b = good.clone();
        b[8] = 2;   // version 2, header rewritten consistently as a future writer would
        System.arraycopy(withHeaderCrc(b), 0, b, 0, ShardHeader.SIZE);
        write(shard, b);
        e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("train-00000.bin") && e.getMessage().contains("version 2"), e.getMessage());

        b = good.clone();
        b[12] = 0x2C; // vocab 256 -> 300: header checksum no longer matches
        write(shard, b);
        e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("header checksum"), e.getMessage());
        System.arraycopy(withHeaderCrc(b), 0, b, 0, ShardHeader.SIZE);
        write(shard, b);
        e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("train-00000.bin") && e.getMessage().contains("vocabulary 300"), e.getMessage());
    }

    private static byte[] withHeaderCrc(byte[] file) {
        byte[] h = java.util.Arrays.copyOf(file, ShardHeader.SIZE);
        int crc = (int) ShardHeader.crc(h, 0, 36);
        java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(36, crc);
        return h;
    }

    @Test
    void prepareTwiceReusesAndRefusesADifferentDataset() throws IOException {
        String dir = location("idem");
        String corpus = writeCorpus("idem.txt");
        DataConfig cfg = config(corpus, dir, DataConfig.Tokenizer.BYTE);
        PrepareResult first = Prepare.prepare(cfg, hconf());
        long mtime = mtime(dir + "/train-00000.bin");
        PrepareResult second = Prepare.prepare(cfg, hconf());
        assertTrue(second.reused());
        assertEquals(0, second.bytesWritten());
        assertEquals(first.manifest(), second.manifest());
        assertEquals(mtime, mtime(dir + "/train-00000.bin"));

        DataConfig other = new DataConfig(corpus, dir, DataConfig.Tokenizer.BYTE, 300, 0.2, SHARD_TOKENS, 0);
        IOException e = assertThrows(IOException.class, () -> Prepare.prepare(other, hconf()));
        assertTrue(e.getMessage().startsWith("dir: ") && e.getMessage().contains("already holds")
                && e.getMessage().contains("--overwrite"), e.getMessage());
        PrepareResult replaced = Prepare.prepare(other, hconf(), true);
        assertFalse(replaced.reused());
        assertEquals(80, replaced.manifest().documentsVal());
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            assertEquals(0.2, d.manifest().params().valFraction());
            assertEquals(replaced.manifest().train().size(), d.shardCount(Split.TRAIN));
        }
        // A damaged dataset with the same parameters is rebuilt instead of reused.
        write(dir + "/val-00000.bin", new byte[10]);
        PrepareResult rebuilt = Prepare.prepare(other, hconf());
        assertFalse(rebuilt.reused());
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            d.verify();
        }
    }

    private long mtime(String uri) throws IOException {
        DataLocation f = DataLocation.resolve(uri, hconf());
        return f.fs().getFileStatus(f.path()).getModificationTime();
    }

    @Test
    void bpeDatasetRoundTripsThroughItsSavedTokenizer() throws IOException {
        String dir = location("bpe");
        PrepareResult r = Prepare.prepare(config(writeCorpus("bpe.txt"), dir, DataConfig.Tokenizer.BPE), hconf());
        assertEquals("bpe", r.manifest().tokenizer());
        assertEquals(300, r.manifest().vocabSize());
        assertTrue(r.trainTokens() < 0.75 * TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL).length,
                "44 merges learned on this corpus should save at least a quarter of the tokens");
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            TextTokenizer tok = d.tokenizer();
            assertEquals(300, tok.vocabSize());
            for (Split s : Split.values()) {
                int[] all = d.read(s, 0, (int) d.tokens(s));
                assertEquals(TestCorpus.expectedText(DOCS, s, VAL), tok.decode(all));
            }
            assertNotNull(d.valBatches(16, 4, 2));
        }
    }

    @Test
    void missingManifestOrShardIsReported() throws IOException {
        String dir = prepared("missing");
        DataLocation shard = DataLocation.resolve(dir + "/train-00002.bin", hconf());
        shard.fs().delete(shard.path(), false);
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(dir, hconf()));
        assertTrue(e.getMessage().contains("train-00002.bin") && e.getMessage().contains("missing"), e.getMessage());
        e = assertThrows(ShardFormatException.class, () -> TokenDataset.open(location("nothing-here"), hconf()));
        assertTrue(e.getMessage().contains("manifest.json") && e.getMessage().contains("mohge prepare"), e.getMessage());
    }

    /** Every entry of {@code dir} (file contents; directories as null), to compare before and after. */
    private java.util.Map<String, List<Byte>> snapshot(String dir) throws IOException {
        DataLocation d = DataLocation.resolve(dir, hconf());
        java.util.Map<String, List<Byte>> out = new java.util.TreeMap<>();
        for (var st : d.fs().listStatus(d.path())) {
            String name = st.getPath().getName();
            if (!st.isFile()) {
                out.put(name + "/", null);
                continue;
            }
            List<Byte> bytes = new java.util.ArrayList<>();
            for (byte b : readAll(dir + "/" + name)) bytes.add(b);
            out.put(name, bytes);
        }
        return out;
    }

    private void delete(String uri) throws IOException {
        DataLocation f = DataLocation.resolve(uri, hconf());
        assertTrue(f.fs().delete(f.path(), false), uri);
    }

    @Test
    void aDamagedDatasetWhoseCorpusIsGoneIsLeftInPlaceAndNamed() throws IOException {
        String dir = location("gone");
        String corpus = writeCorpus("gone.txt");
        DataConfig cfg = config(corpus, dir, DataConfig.Tokenizer.BYTE);
        Prepare.prepare(cfg, hconf());
        String shard = dir + "/train-00001.bin";
        byte[] b = readAll(shard);
        write(shard, java.util.Arrays.copyOf(b, b.length - 5));
        delete(corpus);
        var before = snapshot(dir);
        assertTrue(before.size() >= 5 && before.containsKey("manifest.json"), before.keySet().toString());

        IOException e = assertThrows(IOException.class, () -> Prepare.prepare(cfg, hconf()));
        assertTrue(e.getMessage().contains("train-00001.bin is damaged (truncated") && e.getMessage().contains(
                "cannot be rebuilt") && e.getMessage().contains("does not exist")
                && e.getMessage().contains("was left in place"), e.getMessage());
        assertEquals(before, snapshot(dir), "every file stays as it was, and no staging directory is left");

        // a replacement that cannot be built leaves the old dataset usable, even with --overwrite
        DataConfig other = new DataConfig(corpus, dir, DataConfig.Tokenizer.BYTE, 300, 0.2, SHARD_TOKENS, 0);
        write(shard, b);
        var intact = snapshot(dir);
        assertThrows(IOException.class, () -> Prepare.prepare(other, hconf(), true));
        assertEquals(intact, snapshot(dir));
        try (TokenDataset d = TokenDataset.open(dir, hconf())) {
            d.verify();
        }
    }

    @Test
    void aReplacementInterruptedWhileMovingIsCompletedFromTheStagedFiles() throws IOException {
        String corpus = writeCorpus("swap.txt");
        String oldDir = prepared("swap-old");
        String newDir = location("swap-new");
        DataConfig wanted = new DataConfig(corpus, newDir, DataConfig.Tokenizer.BYTE, 300, 0.2, SHARD_TOKENS, 0);
        Prepare.prepare(wanted, hconf());
        var next = snapshot(newDir);
        // the state a crash leaves: old manifest deleted, one new shard moved in, the rest still staged
        String staging = oldDir + "/" + DatasetSwap.STAGING;
        DataLocation.resolve(staging, hconf()).fs().mkdirs(DataLocation.resolve(staging, hconf()).path());
        delete(oldDir + "/manifest.json");
        for (String name : next.keySet()) {
            write((name.equals("val-00000.bin") ? oldDir : staging) + "/" + name, readAll(newDir + "/" + name));
        }
        delete(corpus); // proves nothing is rebuilt
        DataConfig here = new DataConfig(corpus, oldDir, DataConfig.Tokenizer.BYTE, 300, 0.2, SHARD_TOKENS, 0);
        PrepareResult r = Prepare.prepare(here, hconf());
        assertTrue(r.reused());
        assertEquals(next, snapshot(oldDir), "exactly the new dataset, no stale old shard, no staging directory");
        try (TokenDataset d = TokenDataset.open(oldDir, hconf())) {
            d.verify();
        }
    }
}
