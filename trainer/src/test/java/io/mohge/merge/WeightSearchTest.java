package io.mohge.merge;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightSearchTest {

    /** A smooth bowl on the simplex with its minimum inside, plus a ripple so that it is not quadratic. */
    static WeightSearch.Objective bowl(double[] optimum) {
        return w -> {
            double s = 0;
            for (int i = 0; i < w.length; i++) s += (w[i] - optimum[i]) * (w[i] - optimum[i]);
            return 2.0 + s + 0.01 * Math.sin(7 * w[0]);
        };
    }

    @Test
    void sameSeedSameSearchOtherSeedOtherCandidates() {
        WeightSearch.Config cfg = new WeightSearch.Config(20, 12, 1.0, 1e-3, 7);
        WeightSearch.Objective f = bowl(new double[] {0.2, 0.3, 0.5});
        WeightSearch.Result a = WeightSearch.run(3, f, cfg);
        WeightSearch.Result b = WeightSearch.run(3, f, cfg);
        assertEquals(a.trace().size(), b.trace().size());
        for (int i = 0; i < a.trace().size(); i++) {
            assertArrayEquals(a.trace().get(i).weights(), b.trace().get(i).weights(), 0, "round " + (i + 1));
            assertEquals(a.trace().get(i).loss(), b.trace().get(i).loss(), 0);
        }
        assertArrayEquals(a.weights(), b.weights(), 0);
        WeightSearch.Result c = WeightSearch.run(3, f, cfg.withSeed(8));
        boolean differs = false;
        for (int i = 0; i < a.trace().size(); i++) {
            differs |= !Arrays.equals(a.trace().get(i).weights(), c.trace().get(i).weights());
        }
        assertTrue(differs, "the seed must draw the candidates");
    }

    @Test
    void neverReturnsACandidateWorseThanTheBestEvaluated() {
        for (long seed = 0; seed < 5; seed++) {
            for (int m = 2; m <= 4; m++) {
                double[] opt = new double[m];
                for (int i = 0; i < m; i++) opt[i] = (i + 1.0 + seed) / (m * (m + 1) / 2.0 + m * seed);
                WeightSearch.Result r = WeightSearch.run(m, bowl(opt), new WeightSearch.Config(15, 8, 1.0, 1e-3, seed));
                double min = r.trace().stream().mapToDouble(WeightSearch.Evaluation::loss).min().orElseThrow();
                assertEquals(min, r.loss(), 0, "seed " + seed + " m " + m);
                assertTrue(r.trace().stream().anyMatch(e -> Arrays.equals(e.weights(), r.weights())),
                        "the result is one of the evaluated candidates");
                assertEquals(r.loss(), bowl(opt).loss(r.weights()), 0, "the reported loss is the candidate's");
                double previous = Double.POSITIVE_INFINITY;
                for (WeightSearch.Evaluation e : r.trace()) {
                    assertTrue(e.bestSoFar() <= previous, "best-so-far never rises");
                    previous = e.bestSoFar();
                    assertEquals(1.0, Arrays.stream(e.weights()).sum(), 1e-12, "candidates lie on the simplex");
                    assertTrue(Arrays.stream(e.weights()).allMatch(x -> x >= 0), "candidates lie on the simplex");
                }
                assertEquals(15, r.trace().size());
                assertTrue(r.cumulativeRegret() >= 0);
            }
        }
    }

    @Test
    void theTreeRefinesTowardsAnInteriorOptimum() {
        double[] opt = {0.3, 0.7};
        WeightSearch.Result r = WeightSearch.run(2, bowl(opt), new WeightSearch.Config(24, 12, 1.0, 1e-3, 3));
        assertEquals(0.3, r.weights()[0], 0.05, "best weights " + Arrays.toString(r.weights()));
        double[] opt3 = {0.2, 0.5, 0.3};
        WeightSearch.Result r3 = WeightSearch.run(3, bowl(opt3), new WeightSearch.Config(40, 12, 1.0, 1e-3, 3));
        double dist = 0;
        for (int i = 0; i < 3; i++) dist += Math.pow(r3.weights()[i] - opt3[i], 2);
        assertTrue(Math.sqrt(dist) < 0.12, "best weights " + Arrays.toString(r3.weights()));
        // the vertices come first: keep-intact (rank 0) is always among the candidates
        assertArrayEquals(new double[] {1, 0, 0}, r3.trace().get(0).weights(), 0);
        List<Integer> depths = r3.trace().stream().map(WeightSearch.Evaluation::depth).toList();
        assertTrue(depths.stream().mapToInt(Integer::intValue).max().orElseThrow() >= 3, "the tree deepens: " + depths);
    }

    @Test
    void aCellSplitsIntoTwoHalvesAlongItsLongestEdge() {
        SimplexCell root = SimplexCell.root(3);
        SimplexCell[] halves = root.split(new java.util.SplittableRandom(1));
        assertEquals(1, halves[0].depth());
        assertTrue(halves[0].diameter() <= root.diameter() + 1e-12);
        // the midpoint of edge (e0, e1) replaces e1 in one half and e0 in the other
        assertArrayEquals(new double[] {0.5, 0.5, 0}, halves[0].vertices()[1], 0);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, halves[1].vertices()[0], 0);
        assertFalse(Arrays.equals(halves[0].point(), halves[1].point()));
        // after splitting every cell 6 times (two rounds over all 3 edges) the diameter has halved at least once
        SimplexCell c = root;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(2);
        for (int i = 0; i < 6; i++) c = c.split(rnd)[0];
        assertTrue(c.diameter() <= root.diameter() / 2 + 1e-12, "diameter " + c.diameter());
    }
}
