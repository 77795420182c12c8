package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.Gson;

/** Shuffling, rank partitioning, resume and validation batches, on local-FS datasets. */
class BatchSamplerTest {

    static final double VAL = 0.1;
    static final List<String> DOCS = TestCorpus.docs(400, 42);
    static final int[] TRAIN = TestCorpus.expectedBytes(DOCS, Split.TRAIN, VAL);
    static final int[] VALS = TestCorpus.expectedBytes(DOCS, Split.VAL, VAL);

    @TempDir
    static Path tmp;
    static final Configuration HCONF = new Configuration();
    static TokenDataset many;   // 1024-token shards: 81 train shards
    static TokenDataset few;    // 65536-token shards: 2 train shards

    @BeforeAll
    static void prepare() throws IOException {
        Path corpus = tmp.resolve("corpus.txt");
        Files.writeString(corpus, TestCorpus.fileText(DOCS));
        many = open(corpus, "many", 1024);
        few = open(corpus, "few", 65536);
        assertEquals(81, many.shardCount(Split.TRAIN));
        assertEquals(2, few.shardCount(Split.TRAIN));
    }

    private static TokenDataset open(Path corpus, String name, int shardTokens) throws IOException {
        String dir = tmp.resolve(name).toString();
        Prepare.prepare(new DataConfig(corpus.toString(), dir, DataConfig.Tokenizer.BYTE, 300, VAL, shardTokens, 0), HCONF);
        return TokenDataset.open(dir, HCONF);
    }

    @AfterAll
    static void close() throws IOException {
        many.close();
        few.close();
    }

    private static List<int[][]> take(BatchSampler s, int batches, int batchSize) throws IOException {
        List<int[][]> out = new ArrayList<>();
        for (int i = 0; i < batches; i++) out.add(s.next(batchSize));
        return out;
    }

    private static void assertSameBatches(List<int[][]> a, List<int[][]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertTrue(Arrays.deepEquals(a.get(i), b.get(i)), "batch " + i);
    }

    @Test
    void batchesAreShiftedWindowsOfTheTrainStream() throws IOException {
        BatchSampler s = many.trainSampler(32, 1, 0, 1);
        long[] order = s.epochOrder(0);
        int[][] batch = s.next(16);
        for (int b = 0; b < 16; b++) {
            assertEquals(33, batch[b].length);
            assertEquals(0, order[b] % 32, "window starts at a multiple of seq_len inside its shard (shards hold 1024)");
            int start = (int) order[b];
            assertArrayEquals(Arrays.copyOfRange(TRAIN, start, start + 33), batch[b]);
        }
    }

    @Test
    void shuffleIsDeterministicPerSeedAndEpoch() throws IOException {
        assertSameBatches(take(many.trainSampler(64, 7, 0, 1), 10, 4), take(many.trainSampler(64, 7, 0, 1), 10, 4));
        BatchSampler a = many.trainSampler(64, 7, 0, 1);
        BatchSampler b = many.trainSampler(64, 8, 0, 1);
        assertFalse(Arrays.equals(a.epochOrder(0), b.epochOrder(0)), "different seeds, same order");
        assertFalse(Arrays.equals(a.epochOrder(0), a.epochOrder(1)), "epochs 0 and 1 in the same order");
        long[] e0 = a.epochOrder(0);
        assertEquals(a.windowsPerEpoch(), e0.length);
        assertEquals(e0.length, Arrays.stream(e0).distinct().count(), "a window repeats within an epoch");
        long[] sortedOrder = e0.clone();
        Arrays.sort(sortedOrder);
        assertArrayEquals(a.assignedWindows(), sortedOrder, "one rank: the epoch is a permutation of all windows");
        assertFalse(Arrays.equals(a.assignedWindows(), e0), "not shuffled");
    }

    @Test
    void ranksGetDisjointWindowsThatCoverTheSplit() {
        int seqLen = 48;
        for (TokenDataset d : List.of(many, few)) {
            for (int world : new int[] {1, 2, 3, 5, 7}) {
                int n = d.shardCount(Split.TRAIN);
                int full = n / world * world;
                Set<Long> seen = new HashSet<>();
                boolean[] target = new boolean[(int) d.tokens(Split.TRAIN)];
                long min = Long.MAX_VALUE;
                long perEpoch = -1;
                for (int r = 0; r < world; r++) {
                    BatchSampler s = d.trainSampler(seqLen, 3, r, world);
                    perEpoch = s.windowsPerEpoch();
                    long[] w = s.assignedWindows();
                    min = Math.min(min, w.length);
                    int[] owned = s.ownedShards();
                    for (int sh : owned) assertEquals(r, sh % world, "shard " + sh + " dealt to rank " + r);
                    assertEquals(full / world, owned.length);
                    for (long start : w) {
                        assertTrue(seen.add(start), "window " + start + " given to two ranks (world " + world + ")");
                        int shard = shardOf(d, start);
                        if (shard < full) {
                            assertEquals(shard, shardOf(d, start + seqLen), "a window leaves its owned shard");
                        }
                        assertTrue(shard >= full || Arrays.stream(owned).anyMatch(o -> o == shard),
                                "rank " + r + " reads shard " + shard + " it does not own");
                        for (int t = 1; t <= seqLen; t++) target[(int) start + t] = true;
                    }
                }
                assertEquals(min, perEpoch, "every rank takes the smallest rank's window count per epoch");
                int uncovered = 0;
                for (int t = 1; t < target.length; t++) if (!target[t]) uncovered++;
                int units = full + 1;
                assertTrue(uncovered <= units * seqLen, "world " + world + ": " + uncovered
                        + " tokens never a target, more than the " + units + " unit tails allow");
            }
        }
    }

    private static int shardOf(TokenDataset d, long offset) {
        int i = 0;
        while (i + 1 < d.shardCount(Split.TRAIN) && d.shardStart(Split.TRAIN, i + 1) <= offset) i++;
        return i;
    }

    @Test
    void resumeFromPositionGivesIdenticalBatches() throws IOException, ClassNotFoundException {
        BatchSampler a = many.trainSampler(256, 11, 1, 2);
        assertTrue(a.windowsPerEpoch() < 240, "the resumed part should cross epoch boundaries");
        take(a, 5, 8);
        DataPosition pos = a.position();
        List<int[][]> expected = take(a, 30, 8);
        assertTrue(a.position().epoch() >= 1);

        DataPosition viaJson = new Gson().fromJson(new Gson().toJson(pos), DataPosition.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(pos);
        }
        DataPosition viaJava;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            viaJava = (DataPosition) in.readObject();
        }
        assertEquals(pos, viaJson);
        assertEquals(pos, viaJava);
        try (TokenDataset reopened = TokenDataset.open(many.dir(), HCONF)) {
            BatchSampler b = reopened.trainSampler(256, 11, 1, 2);
            b.seek(viaJson);
            assertSameBatches(expected, take(b, 30, 8));
        }
    }

    @Test
    void nextWindowsNamesExactlyTheWindowsNextWouldRead() throws IOException {
        BatchSampler reading = many.trainSampler(48, 5, 0, 1);
        BatchSampler drawing = many.trainSampler(48, 5, 0, 1);
        long steps = reading.windowsPerEpoch() / 3 + 5;
        for (int step = 0; step < steps; step++) {
            int[][] batch = reading.next(3);
            long[] starts = drawing.nextWindows(3);
            for (int b = 0; b < 3; b++) {
                assertArrayEquals(batch[b], many.read(Split.TRAIN, starts[b], 49));
            }
        }
        assertEquals(reading.position(), drawing.position());
        assertTrue(reading.position().epoch() > 0, "the comparison should cross an epoch boundary");
    }

    @Test
    void seekRejectsPositionsOfAnotherStream() {
        DataPosition pos = many.trainSampler(64, 1, 0, 2).position();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> many.trainSampler(64, 2, 0, 2).seek(pos));
        assertTrue(e.getMessage().startsWith("seed:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> many.trainSampler(64, 1, 1, 2).seek(pos));
        assertTrue(e.getMessage().startsWith("rank:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> few.trainSampler(64, 1, 0, 2).seek(pos));
        assertTrue(e.getMessage().startsWith("fingerprint:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> many.trainSampler(64, 1, 2, 2));
        assertTrue(e.getMessage().startsWith("rank:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> few.trainSampler(40_000, 1, 0, 2));
        assertTrue(e.getMessage().startsWith("seq_len:"), e.getMessage());
    }

    @Test
    void validationBatchesAreAFixedSpreadOfValWindows() throws IOException {
        List<int[][]> v = many.valBatches(64, 4, 3);
        assertEquals(3, v.size());
        for (int k = 0; k < 2; k++) assertTrue(Arrays.deepEquals(v.get(k), many.valBatches(64, 4, 3).get(k)));
        long windows = (VALS.length - 1) / 64;
        for (int b = 0; b < 3; b++) {
            for (int j = 0; j < 4; j++) {
                int start = (int) ((b * 4L + j) * windows / 12) * 64;
                assertArrayEquals(Arrays.copyOfRange(VALS, start, start + 65), v.get(b)[j]);
            }
        }
        assertEquals(windows / 4, many.valBatches(64, 4, 1000).size(), "capped to the windows available");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> many.valBatches(64, 1000, 1));
        assertTrue(e.getMessage().contains("val split") && e.getMessage().contains("val_fraction"), e.getMessage());
    }
}
