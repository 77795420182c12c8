package io.mohge.mixture;

import io.mohge.config.RunConfig;
import io.mohge.data.TokenDataset;
import io.mohge.engine.Batch;
import io.mohge.engine.Transformer;
import io.mohge.losses.LossNames;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing and scoring of a trained tiny mixture: batched and per-prompt routing agree, the loss counts the right tokens. */
class MixtureInferenceTest {

    @TempDir
    static Path dir;

    static RunConfig cfg;
    static Mixture mix;
    static int[][] windows;

    @BeforeAll
    static void train() throws IOException {
        Path corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        cfg = TinyMixture.config(corpus, dir.resolve("data"), dir.resolve("run"));
        RouterEm.run(cfg, new RouterEm.Options(false, false, 0));
        ExpertTraining.runLocal(cfg, new ExpertTraining.Options(false, false, 0, List.of()));
        mix = Mixture.fromRun(cfg);
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), new Configuration())) {
            windows = MixtureEval.windows(data, 32, 0);
        }
    }

    @Test
    void batchedPrefixScoresEqualTheKeyValueCacheDecoder() {
        PrefixScorer scorer = new PrefixScorer(mix.router(1), 8);
        int[][] prefixes = new int[70][];
        for (int i = 0; i < prefixes.length; i++) prefixes[i] = Arrays.copyOf(windows[i], 8);  // a padded last batch
        double[] batched = scorer.score(prefixes);
        for (int i = 0; i < prefixes.length; i++) {
            assertEquals(scorer.scorePrompt(windows[i]), batched[i], 1e-3, "prefix " + i);
            assertTrue(batched[i] < 0);
        }
        int[] routed = mix.route(prefixes, 8);
        for (int i = 0; i < prefixes.length; i++) assertEquals(mix.route(windows[i]).expert(), routed[i], "prefix " + i);
    }

    @Test
    void denseLossFromTheFirstTokenIsTheModelsMeanLoss() {
        Transformer expert = mix.expert(0);
        int[][] batch = Arrays.copyOf(windows, 16);
        double mean = expert.forward(Batch.ofWindows(batch, 32), 0.0).losses().get(LossNames.LM);
        MixtureEval.Result r = MixtureEval.dense(expert, batch, 1);
        assertEquals(mean, r.loss(), 1e-6);
        assertEquals(16L * 32, r.tokens());

        // later tokens: 16 x (32 - 20 + 1) predictions, and padding rows do not count
        int[][] odd = Arrays.copyOf(windows, 21);
        MixtureEval.Result late = MixtureEval.dense(expert, odd, 20);
        assertEquals(21L * 13, late.tokens());
        double sum = 0;
        for (int[] w : odd) {
            double[] mask = new double[32];
            Arrays.fill(mask, 19, 32, 1.0);
            int[] tokens = Arrays.copyOf(w, 32);
            int[] targets = Arrays.copyOfRange(w, 1, 33);
            sum += 13 * expert.forward(new Batch(1, 32, tokens, targets, mask), 0.0).losses().get(LossNames.LM);
        }
        assertEquals(sum / (21 * 13), late.loss(), 1e-5);
    }

    @Test
    void theMixtureCountsOnlyTokensAfterThePrefixAndUsesEveryExpertItRoutesTo() {
        MixtureEval.Result r = MixtureEval.mixture(mix, windows, 8, 8);
        assertEquals((long) windows.length * 25, r.tokens());
        assertEquals(windows.length, Arrays.stream(r.shares()).sum());
        assertTrue(Arrays.stream(r.shares()).allMatch(s -> s > 0), Arrays.toString(r.shares()));
        // the mixture routes each sequence to one expert: its loss is the share-weighted mean of the experts' losses
        double sum = 0;
        int[] route = mix.route(Arrays.stream(windows).map(w -> Arrays.copyOf(w, 8)).toArray(int[][]::new), 8);
        for (int e = 0; e < mix.size(); e++) {
            int k = e;
            int[][] mine = java.util.stream.IntStream.range(0, windows.length).filter(i -> route[i] == k)
                    .mapToObj(i -> windows[i]).toArray(int[][]::new);
            sum += MixtureEval.dense(mix.expert(e), mine, 8).loss() * mine.length;
        }
        assertEquals(sum / windows.length, r.loss(), 1e-9);
        // routing on the right expert matters: sending every sequence to the other expert is worse
        double swapped = 0;
        for (int e = 0; e < mix.size(); e++) {
            int k = e;
            int[][] mine = java.util.stream.IntStream.range(0, windows.length).filter(i -> route[i] == k)
                    .mapToObj(i -> windows[i]).toArray(int[][]::new);
            swapped += MixtureEval.dense(mix.expert(1 - e), mine, 8).loss() * mine.length;
        }
        assertTrue(swapped / windows.length > r.loss() + 0.05, "routed " + r.loss() + " vs swapped " + swapped / windows.length);
    }

    @Test
    void promptsAreRoutedOnTheTokensTheyHave() {
        int[] greek = mix.tokenizer().encode("το κοινοβούλιο ψηφίζει για την έκθεση");
        int[] latin = mix.tokenizer().encode("the parliament votes on the report");
        int g = mix.route(greek).expert();
        int l = mix.route(latin).expert();
        assertTrue(g != l, "the scripts go to different experts");
        assertEquals(g, mix.route(Arrays.copyOf(greek, 5)).expert(), "a short Greek prompt too");
        Mixture.Routing one = mix.route(new int[] {'t'});
        assertEquals(0, one.expert(), "a one-token prompt has nothing to score");
        assertArrayEquals(new double[] {0, 0}, one.scores());
        assertThrows(IllegalArgumentException.class, () -> MixtureEval.mixture(mix, windows, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> MixtureEval.mixture(mix, windows, 32, 32));
    }
}
