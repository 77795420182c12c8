package io.mohge.train;

import io.mohge.allocation.AllocationConfig.Strategy;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.PlacementStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoutingStatsTest {

    // two groups of two experts: experts 0, 1 have width 10, experts 2, 3 width 30
    private final ExpertLayout layout = new ExpertLayout(List.of(10, 30), 2);

    private RoutingStats stats() {
        return new RoutingStats(layout, 2,
                PlacementStrategy.of(Strategy.ALL_SIZE_DECOUPLED).place(layout, 2),
                PlacementStrategy.of(Strategy.CONTIGUOUS).place(layout, 2));
    }

    @Test
    void groupSharesLoadsAndImbalance() {
        RoutingStats s = stats();
        s.add(0, new long[]{4, 6, 5, 5});
        s.add(0, new long[]{6, 4, 5, 5}); // layer 0 over the interval: 10 each
        s.add(1, new long[]{0, 30, 5, 5});
        Map<String, Double> m = s.metrics();
        assertEquals(0.625, m.get("group_share.0"), 1e-12); // (20 + 30) / 80
        assertEquals(0.375, m.get("group_share.1"), 1e-12);
        assertEquals(0.0, m.get("expert_load_min"));          // layer 1, expert 0
        assertEquals(3.0, m.get("expert_load_max"), 1e-12);   // layer 1, expert 1: 30 / 10
        assertEquals(1.0, m.get("dead_experts"));
        // layer 0, all 10: decoupled ranks {0,2},{1,3} compute 400/400 -> 1.0; contiguous 200/600 -> 1.5
        // layer 1: decoupled 150/450 -> 1.5; contiguous 300/300 -> 1.0; the worst layer is reported
        assertEquals(1.5, m.get("imbalance"), 1e-12);
        assertEquals(1.5, m.get("imbalance_contiguous"), 1e-12);
        assertTrue(Double.isNaN(m.get("switch_rate")));

        s.reset();
        assertTrue(s.metrics().isEmpty());
        s.add(0, new long[]{10, 10, 10, 10});
        s.add(1, new long[]{10, 10, 10, 10});
        Map<String, Double> balanced = s.metrics();
        assertEquals(1.0, balanced.get("imbalance"), 1e-12);
        assertEquals(1.5, balanced.get("imbalance_contiguous"), 1e-12);
        assertEquals(0.0, balanced.get("dead_experts"));
    }

    @Test
    void switchRateCountsTopExpertChangesWithinSequences() {
        assertEquals(0.5, RoutingStats.switchRate(new int[][]{{1, 1, 2, 2, 1}}), 1e-12);
        assertEquals(0.4, RoutingStats.switchRate(new int[][]{{1, 1, 2, 2, 1}, {3, 3}}), 1e-12);
        assertTrue(Double.isNaN(RoutingStats.switchRate(new int[][]{{1}})));
    }

    @Test
    void switchCountsSeparateTopExpertSetAndDecisionChangesWithinSequences() {
        // two sequences of 5 positions, K = 2; sets are compared as sets (order ignored), never across sequences
        int[] sets = {1, 2, 2, 1, 1, 3, 3, 1, 0, 1,
                      0, 1, 1, 0, 1, 0, 2, 3, 2, 3};
        int[] top = {1, 2, 1, 3, 0,
                     0, 1, 1, 2, 2};
        boolean[] switched = {true, false, true, false, true,
                              true, true, false, false, true};
        long[] c = SwitchCounts.count(top, sets, switched, 2, 5);
        assertEquals(8, c[SwitchCounts.PAIRS]);
        assertEquals(4 + 2, c[SwitchCounts.TOP1]);      // 1>2>1>3>0 | 0>1, 1>2
        assertEquals(2 + 1, c[SwitchCounts.SET]);       // {12}{12}{13}{13}{01} | {01}{01}{01}{23}{23}
        assertEquals(2 + 2, c[SwitchCounts.DECISIONS]); // positions 2 and 4 | positions 1 and 4
        long[] plain = SwitchCounts.count(top, sets, null, 2, 5);
        assertEquals(0, plain[SwitchCounts.DECISIONS]);

        RoutingStats s = new RoutingStats(layout, 2, null, null, true);
        s.add(0, new long[]{1, 1, 1, 1});
        s.addSwitches(new long[][]{c, {8, 0, 0, 0}});
        s.addSwitches(new long[][]{{2, 1, 1, 1}, {2, 2, 2, 2}});
        Map<String, Double> m = s.metrics();
        assertEquals(7.0 / 10, m.get("switch_rate.0"), 1e-12);
        assertEquals(4.0 / 10, m.get("set_switch_rate.0"), 1e-12);
        assertEquals(2.0 / 10, m.get("switch_rate.1"), 1e-12);
        assertEquals(9.0 / 20, m.get("switch_rate"), 1e-12);
        assertEquals(6.0 / 20, m.get("set_switch_rate"), 1e-12);
        assertEquals(7.0 / 20, m.get("decision_rate"), 1e-12);
        assertEquals(RoutingStats.switchColumns(2, true).stream().filter(m::containsKey).toList(),
                RoutingStats.switchColumns(2, true), "every switch column is reported");
        assertThrows(IllegalArgumentException.class, () -> s.addSwitches(new long[][]{c}));
    }

    @Test
    void wrongExpertCountIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> stats().add(0, new long[]{1, 2, 3}));
        assertTrue(e.getMessage().contains("tokens_per_expert"));
    }
}
