package io.mohge.allocation;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GreedyAndContiguousStrategyTest {

    private static final ExpertLayout REF = AllSizeDecoupledStrategyTest.REF;

    @Test
    void contiguousKeepsLogicalOrder() {
        Placement p = new ContiguousStrategy().place(REF, 4);
        for (int r = 0; r < 4; r++) {
            int[] expected = new int[16];
            for (int i = 0; i < 16; i++) expected[i] = 16 * r + i;
            assertArrayEquals(expected, p.localExperts(r));
        }
        assertEquals(3, p.rankOf(63));
        assertEquals(8L * (384 + 512), p.widthSum(0));
    }

    @Test
    void greedyWithoutLoadFollowsLptByWidth() {
        // widths by expert: [1, 1, 3, 3]. Costs descending: e2 (3) -> rank 0, e3 (3) -> rank 1,
        // e0 (1): ranks tie at 3 -> rank 0, e1 -> rank 1 (rank 0 full).
        ExpertLayout layout = new ExpertLayout(List.of(1, 3), 2);
        Placement p = new GreedyBalancedStrategy().place(layout, 2);
        assertArrayEquals(new int[] {0, 2}, p.localExperts(0));
        assertArrayEquals(new int[] {1, 3}, p.localExperts(1));
    }

    @Test
    void greedyWithLoadBalancesTokensTimesWidth() {
        // widths [1, 1, 3, 3], tokens [10, 50, 10, 1] -> costs [10, 50, 30, 3].
        // e1 (50) -> r0; e2 (30) -> r1; e0 (10) -> r1 (30 < 50); e3 (3): r1 is full -> r0.
        ExpertLayout layout = new ExpertLayout(List.of(1, 3), 2);
        ExpertLoad load = ExpertLoad.of(new long[] {10, 50, 10, 1}, "test");
        Placement p = new GreedyBalancedStrategy(load).place(layout, 2);
        assertArrayEquals(new int[] {1, 3}, p.localExperts(0));
        assertArrayEquals(new int[] {0, 2}, p.localExperts(1));
        BalanceReport r = BalanceReport.of(p, load);
        assertEquals(53, r.compute(0));
        assertEquals(40, r.compute(1));
    }

    @Test
    void greedyIsAValidPlacementForEveryRankCount() {
        ExpertLoad load = ExpertLoad.groupSkewed(REF, new double[] {9, 1, 7, 2, 5, 3, 4, 6}, 1_000_000L);
        for (int ranks : REF.validRankCounts()) {
            for (Placement p : List.of(new GreedyBalancedStrategy().place(REF, ranks),
                    new GreedyBalancedStrategy(load).place(REF, ranks))) {
                boolean[] seen = new boolean[64];
                for (int r = 0; r < ranks; r++) {
                    assertEquals(64 / ranks, p.localExperts(r).length, "ranks " + ranks + " rank " + r);
                    for (int l : p.localExperts(r)) {
                        assertTrue(!seen[l], "expert " + l + " placed twice");
                        seen[l] = true;
                        assertEquals(r, p.rankOf(l));
                    }
                }
                assertEquals(AllocationConfig.Strategy.GREEDY, p.strategy());
            }
        }
    }

    @Test
    void greedyBalancesReferenceWidthsExactlyAtEp4() {
        Placement p = new GreedyBalancedStrategy().place(REF, 4);
        for (int r = 0; r < 4; r++) assertEquals(13_312L, p.widthSum(r), "rank " + r);
    }

    @Test
    void greedyRejectsLoadOfWrongLength() {
        ExpertLoad load = ExpertLoad.of(new long[] {1, 2, 3}, "stats.json");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GreedyBalancedStrategy(load).place(REF, 4));
        assertEquals("tokens_per_expert: stats.json has 3 counts but the layout has E = 64 experts (8 groups x 8); "
                + "use counts from a model with the same experts", e.getMessage());
    }

    @Test
    void configSelectsStrategy() {
        for (AllocationConfig.Strategy s : AllocationConfig.Strategy.values()) {
            assertEquals(s, PlacementStrategy.of(s).strategy());
            assertEquals(s, PlacementStrategy.of(s).place(REF, 2).strategy());
            assertEquals(s, PlacementStrategy.parseName(PlacementStrategy.nameOf(s)));
        }
        assertEquals("all-size-decoupled", PlacementStrategy.nameOf(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED));
        assertEquals(AllocationConfig.Strategy.ALL_SIZE_DECOUPLED,
                PlacementStrategy.of(AllocationConfig.DEFAULTS.strategy()).strategy());
    }
}
