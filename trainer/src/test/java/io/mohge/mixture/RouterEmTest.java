package io.mohge.mixture;

import io.mohge.config.RunConfig;
import io.mohge.data.Split;
import io.mohge.data.TokenDataset;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The router EM on the tiny two-language corpus: balanced, deterministic, clustering, exactly resumable. */
class RouterEmTest {

    @TempDir
    static Path dir;

    static Path corpus;
    static RunConfig first;
    static RouterEm.Result result;

    @BeforeAll
    static void routeOnce() throws IOException {
        corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        first = TinyMixture.config(corpus, dir.resolve("data"), dir.resolve("a"));
        result = RouterEm.run(first, new RouterEm.Options(false, false, 0));
    }

    private static RunConfig config(String name, String... sets) throws IOException {
        return TinyMixture.config(corpus, dir.resolve("data"), dir.resolve(name), sets);
    }

    private static Checkpoint router(RunConfig cfg, int r) throws IOException {
        return CheckpointStore.load(Trainer.latestCheckpoint(Members.router(cfg, MixtureLayout.of(cfg), r, 1)).orElseThrow());
    }

    @Test
    void theAssignmentIsBalancedAndSeparatesTheTwoScripts() throws IOException {
        EmState s = result.state();
        assertFalse(result.paused());
        assertTrue(s.finished() && s.partitionWritten(), s.toString());
        byte[] train = result.assignment().train();
        int[] c = Assignment.counts(train, 2);
        assertTrue(Math.abs(c[0] - c[1]) <= 1, "capacity 1: equal shares " + java.util.Arrays.toString(c));
        int[] cv = Assignment.counts(result.assignment().val(), 2);
        assertTrue(Math.abs(cv[0] - cv[1]) <= 1, "validation too " + java.util.Arrays.toString(cv));

        // routers that cluster put (nearly) every Greek prefix with one router and every Latin one with the other
        try (TokenDataset data = TokenDataset.open(first.data().dir(), new Configuration())) {
            Sequences seqs = Sequences.of(data, 32);
            int[][] prefixes = seqs.prefixes(data, Split.TRAIN, 8);
            int[][] table = new int[2][2];
            for (int i = 0; i < prefixes.length; i++) table[TinyMixture.greek(prefixes[i]) ? 1 : 0][train[i]]++;
            int agree = Math.max(table[0][0] + table[1][1], table[0][1] + table[1][0]);
            // Greek takes more bytes than Latin, so equal shares force some Greek sequences onto the Latin router:
            // the best any balanced assignment can do is min(latin, share) + min(greek, share)
            int latin = table[0][0] + table[0][1];
            int greek = table[1][0] + table[1][1];
            int best = Math.min(latin, c[0] + 1) + Math.min(greek, c[0] + 1);
            assertTrue(greek > latin + 100, "the corpus is uneven in bytes: " + latin + " / " + greek);
            assertTrue(agree >= best - 0.02 * prefixes.length, "script vs router " + java.util.Arrays.deepToString(table)
                    + ", best balanced agreement " + best);
        }
        // the partition holds exactly the assigned sequences
        MixtureLayout layout = MixtureLayout.of(first);
        for (int r = 0; r < 2; r++) {
            try (TokenDataset part = TokenDataset.open(layout.expertData(r), new Configuration())) {
                assertEquals(32L * c[r], part.tokens(Split.TRAIN));
                assertEquals(32L * cv[r], part.tokens(Split.VAL));
            }
        }
        assertTrue(Files.notExists(Path.of(layout.routerRoundData(1))), "round data is deleted once used");
    }

    @Test
    void theSameSeedGivesTheSameRoutersAndAssignment() throws IOException {
        RunConfig again = config("b");
        RouterEm.Result r = RouterEm.run(again, new RouterEm.Options(false, false, 0));
        assertArrayEquals(result.assignment().train(), r.assignment().train());
        assertArrayEquals(result.assignment().val(), r.assignment().val());
        assertEquals(result.state().changed(), r.state().changed());
        for (int k = 0; k < 2; k++) assertEquals(router(first, k).params(), router(again, k).params());

        RunConfig otherSeed = config("c", "run.seed=4");
        RouterEm.Result o = RouterEm.run(otherSeed, new RouterEm.Options(false, false, 0));
        assertFalse(java.util.Arrays.equals(AssignmentFile.read(MixtureLayout.of(first).assignment(0)).train(),
                AssignmentFile.read(MixtureLayout.of(otherSeed).assignment(0)).train()), "the start depends on the seed");
        assertTrue(Math.abs(Assignment.counts(o.assignment().train(), 2)[0] - Assignment.counts(o.assignment().train(), 2)[1]) <= 1);
    }

    @Test
    void aPausedEmResumesToTheSameRoutersAndAssignment() throws IOException {
        RunConfig cfg = config("resumed");
        RouterEm.Result mid = RouterEm.run(cfg, new RouterEm.Options(false, false, 15));    // inside round 2
        assertTrue(mid.paused());
        assertEquals(1, mid.state().roundsDone());
        var refused = assertThrows(IllegalArgumentException.class,
                () -> RouterEm.run(cfg, new RouterEm.Options(false, false, 0)));
        assertTrue(refused.getMessage().startsWith("run.out_dir:") && refused.getMessage().contains("--resume"),
                refused.getMessage());
        RouterEm.Result boundary = RouterEm.run(cfg, new RouterEm.Options(true, false, 20)); // end of round 2
        assertEquals(2, boundary.state().roundsDone());
        RouterEm.Result done = RouterEm.run(cfg, new RouterEm.Options(true, false, 0));
        assertArrayEquals(result.assignment().train(), done.assignment().train());
        assertArrayEquals(result.assignment().val(), done.assignment().val());
        assertEquals(result.state().changed(), done.state().changed());
        for (int k = 0; k < 2; k++) {
            Checkpoint a = router(first, k);
            Checkpoint b = router(cfg, k);
            assertEquals(a.step(), b.step());
            assertEquals(a.params(), b.params(), "router " + k);
            assertEquals(a.optimizer(), b.optimizer(), "router " + k);
        }
    }

    @Test
    void aResumeWithAnotherMixtureIsRefused() throws IOException {
        RunConfig cfg = config("a", "mixture.prefix_tokens=6");
        var e = assertThrows(IllegalArgumentException.class, () -> RouterEm.run(cfg, new RouterEm.Options(true, false, 0)));
        assertTrue(e.getMessage().startsWith("mixture:"), e.getMessage());
    }
}
