package io.mohge.allocation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalanceReportTest {

    private static final ExpertLayout SMALL = new ExpertLayout(List.of(100, 300), 2); // widths [100,100,300,300]

    @Test
    void handComputedFigures() {
        // contiguous, 2 ranks: rank 0 = experts {0,1} (width 100), rank 1 = {2,3} (width 300)
        ExpertLoad load = ExpertLoad.of(new long[] {10, 30, 5, 15}, "test");
        BalanceReport r = BalanceReport.of(new ContiguousStrategy().place(SMALL, 2), load, 8);
        assertEquals(200, r.widthSum(0));
        assertEquals(600, r.widthSum(1));
        assertEquals(3L * 8 * 200, r.params(0));
        assertEquals(40, r.tokens(0));
        assertEquals(20, r.tokens(1));
        assertEquals(4_000, r.compute(0));  // 10*100 + 30*100
        assertEquals(6_000, r.compute(1));  // 5*300 + 15*300
        assertEquals(6_000 / 5_000.0, r.computeImbalance(), 1e-12);
        assertEquals(600 / 400.0, r.paramImbalance(), 1e-12);
        assertEquals(40 / 30.0, r.tokenImbalance(), 1e-12);
        assertEquals(0.8, r.computeRelative(0), 1e-12);
        // decoupled, 2 ranks: rank 0 = {0, 2}, rank 1 = {1, 3}
        BalanceReport d = BalanceReport.of(new AllSizeDecoupledStrategy().place(SMALL, 2), load);
        assertEquals(10 * 100 + 5 * 300, d.compute(0));
        assertEquals(30 * 100 + 15 * 300, d.compute(1));
        assertEquals(1.0, d.paramImbalance(), 0.0);
        assertFalse(d.hasParams());
        assertThrows(IllegalStateException.class, () -> d.params(0));
    }

    @Test
    void uniformAndGroupSkewedSyntheticLoads() {
        assertEquals(List.of(7L, 7L, 7L, 7L), boxed(ExpertLoad.uniform(SMALL, 7).toArray()));
        // shares 3:1 of 800 tokens: group 0 gets 600 (300 per expert), group 1 gets 200 (100 per expert)
        assertEquals(List.of(300L, 300L, 100L, 100L),
                boxed(ExpertLoad.groupSkewed(SMALL, new double[] {3, 1}, 800).toArray()));
        assertEquals("group_shares: expected one share per group (2 values), got 3",
                ExpertLayoutTest.message(() -> ExpertLoad.groupSkewed(SMALL, new double[] {1, 1, 1}, 10)));
        assertEquals("group_shares: all shares are 0; give at least one group a share",
                ExpertLayoutTest.message(() -> ExpertLoad.groupSkewed(SMALL, new double[] {0, 0}, 10)));
        assertEquals("tokens_per_expert: expert 1 has -1 tokens; counts must be 0 or more",
                ExpertLayoutTest.message(() -> ExpertLoad.of(new long[] {1, -1}, "x")));
    }

    @Test
    void emptyOrMismatchedLoadIsRefused() {
        Placement p = new ContiguousStrategy().place(SMALL, 2);
        assertEquals("tokens_per_expert: zeros routes no token to any expert; compute balance is undefined "
                + "(use a synthetic uniform load instead)",
                ExpertLayoutTest.message(() -> BalanceReport.of(p, ExpertLoad.of(new long[4], "zeros"))));
        assertTrue(ExpertLayoutTest.message(() -> BalanceReport.of(p, ExpertLoad.of(new long[5], "five")))
                .startsWith("tokens_per_expert: five has 5 counts but the layout has E = 4 experts"));
    }

    @Test
    void comparisonTableShowsEveryStrategyWithHeaderAndFigures() {
        ExpertLayout ref = AllSizeDecoupledStrategyTest.REF;
        long[] t = new long[64];
        for (int l = 0; l < 64; l++) t[l] = 1000L * (8 - l / 8);
        StrategyComparison c = StrategyComparison.of(ref, 4, ExpertLoad.of(t, "stats.json"), 1024);
        assertEquals(1.0, c.entry(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED).report().computeImbalance(), 0.0);
        assertEquals(1.25, c.entry(AllocationConfig.Strategy.CONTIGUOUS).report().computeImbalance(), 1e-12);
        String table = c.toTable();
        assertTrue(table.startsWith("Routed experts: 8 groups x 8 experts = 64, widths [384, 512, 640, 768, 896, "
                + "1024, 1152, 1280]; 4 ranks x 16 experts\nLoad: stats.json; 288,000 token-expert assignments\n"
                + "Params: 3 x h x width sum with h = 1024\n"), table);
        assertTrue(table.contains("all-size-decoupled            1.0000           1.0000"), table);
        assertTrue(table.contains("contiguous                    1.2500           1.4615"), table);
        assertTrue(table.contains("== all-size-decoupled: compute max/mean 1.0000, params max/mean 1.0000\n"
                + "rank  experts  width sum      params  tokens  tokens x width  compute/mean\n"
                + "   0       16     13,312  40,894,464  72,000      49,152,000        1.0000\n"), table);
        assertTrue(table.contains("== contiguous: compute max/mean 1.2500"), table);
        assertTrue(table.contains("== greedy: compute max/mean "), table);
    }

    @Test
    void comparisonMarksUnavailableStrategyInsteadOfFailing() {
        ExpertLayout odd = new ExpertLayout(List.of(1, 2, 3), 2);
        StrategyComparison c = StrategyComparison.of(odd, 3, ExpertLoad.uniform(odd, 5), 0);
        assertFalse(c.entry(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED).available());
        assertTrue(c.entry(AllocationConfig.Strategy.CONTIGUOUS).available());
        assertTrue(c.toTable().contains("== all-size-decoupled: not available: groups: all-size-decoupled pairs"));
        assertTrue(c.toTable().contains("Params: not shown"));
        assertEquals(ExpertLayoutTest.message(() -> odd.checkRanks(4)),
                ExpertLayoutTest.message(() -> StrategyComparison.of(odd, 4, ExpertLoad.uniform(odd, 5), 0)));
    }

    private static List<Long> boxed(long[] v) { return java.util.Arrays.stream(v).boxed().toList(); }
}
