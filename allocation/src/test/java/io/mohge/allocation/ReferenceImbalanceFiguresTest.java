package io.mohge.allocation;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compute imbalance (max/mean of tokens x width per rank) of the three strategies for the reference layout
 * under group-skewed loads, EP 4 and 8. The figures are printed to the test output
 * (target/surefire-reports/io.mohge.allocation.ReferenceImbalanceFiguresTest-output.txt).
 */
class ReferenceImbalanceFiguresTest {

    private static final ExpertLayout REF = AllSizeDecoupledStrategyTest.REF;
    private static final long TOKENS = 100_000_000L;

    /** Group shares proportional to 1 / s_g^2 (narrow groups preferred). */
    private static double[] inverseSquareWidthShares() {
        double[] s = new double[8];
        for (int g = 0; g < 8; g++) s[g] = 1.0 / ((double) REF.width(g) * REF.width(g));
        return s;
    }

    private static final double[] STRONG = {0.50, 0.20, 0.10, 0.08, 0.05, 0.04, 0.02, 0.01};

    @Test
    void decoupledIsExactUnderGroupSkewContiguousIsNot() {
        for (double[] shares : new double[][] {inverseSquareWidthShares(), STRONG}) {
            ExpertLoad load = ExpertLoad.groupSkewed(REF, shares, TOKENS);
            for (int ep : new int[] {4, 8}) {
                StrategyComparison c = StrategyComparison.of(REF, ep, load, 1024);
                double dec = c.entry(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED).report().computeImbalance();
                double con = c.entry(AllocationConfig.Strategy.CONTIGUOUS).report().computeImbalance();
                assertEquals(1.0, dec, 0.0);
                assertTrue(con > 1.2, "contiguous " + con);
                print(load, ep, c);
            }
        }
    }

    @Test
    void withinGroupNoiseFigures() {
        // 1/s^2 group shares, each expert's count perturbed by a uniform factor in [0.8, 1.2] (seeded):
        // the intra-group loss keeps loads close to, not exactly, equal
        long[] base = ExpertLoad.groupSkewed(REF, inverseSquareWidthShares(), TOKENS).toArray();
        Random rnd = new Random(7);
        long[] noisy = new long[64];
        for (int l = 0; l < 64; l++) noisy[l] = Math.round(base[l] * (0.8 + 0.4 * rnd.nextDouble()));
        ExpertLoad load = ExpertLoad.of(noisy, "1/s^2 group shares with +-20% within-group noise (seed 7)");
        for (int ep : new int[] {4, 8}) {
            StrategyComparison c = StrategyComparison.of(REF, ep, load, 1024);
            double dec = c.entry(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED).report().computeImbalance();
            double con = c.entry(AllocationConfig.Strategy.CONTIGUOUS).report().computeImbalance();
            assertTrue(dec < con, "decoupled " + dec + " vs contiguous " + con);
            print(load, ep, c);
        }
    }

    private static void print(ExpertLoad load, int ep, StrategyComparison c) {
        double widthOnlyGreedy = BalanceReport.of(new GreedyBalancedStrategy().place(REF, ep), load).computeImbalance();
        System.out.printf(Locale.ROOT, "FIGURES EP %d | %s | compute max/mean: decoupled %.4f, contiguous %.4f, "
                        + "greedy(fitted) %.4f, greedy(width-only) %.4f | params max/mean: decoupled %.4f, "
                        + "contiguous %.4f, greedy(fitted) %.4f%n", ep, load.source(),
                imb(c, AllocationConfig.Strategy.ALL_SIZE_DECOUPLED), imb(c, AllocationConfig.Strategy.CONTIGUOUS),
                imb(c, AllocationConfig.Strategy.GREEDY), widthOnlyGreedy,
                c.entry(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED).report().paramImbalance(),
                c.entry(AllocationConfig.Strategy.CONTIGUOUS).report().paramImbalance(),
                c.entry(AllocationConfig.Strategy.GREEDY).report().paramImbalance());
        System.out.println(c.toTable());
    }

    private static double imb(StrategyComparison c, AllocationConfig.Strategy s) {
        return c.entry(s).report().computeImbalance();
    }
}
