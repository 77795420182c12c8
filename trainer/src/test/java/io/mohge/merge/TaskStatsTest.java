package io.mohge.merge;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskStatsTest {

    @Test
    void usageIsAnExponentialMovingAverageOfPerBatchFrequencies() {
        TaskStats s = new TaskStats(1, 4, 0.5);
        s.observe("a", new long[][] {{4, 0, 0, 0}});           // f = (1, 0, 0, 0): the first batch sets u
        assertArrayEquals(new double[] {1, 0, 0, 0}, s.usage("a")[0], 0);
        s.observe("a", new long[][] {{0, 2, 2, 0}});           // f = (0, .5, .5, 0)
        assertArrayEquals(new double[] {0.5, 0.25, 0.25, 0}, s.usage("a")[0], 1e-15);
        s.observe("a", new long[][] {{0, 0, 0, 8}});
        assertArrayEquals(new double[] {0.25, 0.125, 0.125, 0.5}, s.usage("a")[0], 1e-15);
        assertEquals(3L, s.batches().get("a"));
    }

    @Test
    void taskSharesFollowDriftInTheServedMix() {
        TaskStats s = new TaskStats(1, 2, 0.8);
        for (int i = 0; i < 30; i++) s.observe(i % 3 == 0 ? "b" : "a", new long[][] {{1, 1}});
        double shareB = s.taskShares().get("b");
        assertEquals(1 / 3.0, shareB, 0.08, "an even mix of a, a, b gives b about a third");
        for (int k = 1; k <= 5; k++) {
            s.observe("b", new long[][] {{1, 1}});
            double next = s.taskShares().get("b");
            assertTrue(next > shareB, "every batch of b raises b's share");
            shareB = next;
        }
        // after 5 batches of b alone: s_a = 0.8^5 x s_a(before) (no bias left after 35 batches)
        Map<String, Double> shares = s.taskShares();
        assertEquals(1.0, shares.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
        assertTrue(shares.get("b") > 0.75, "the mix has drifted to b: " + shares);
    }

    @Test
    void theMixtureUsageWeighsTasksByTheirShare() {
        TaskStats s = new TaskStats(1, 2, 0.0);                // decay 0: only the newest batch counts
        s.observe("a", new long[][] {{3, 1}});
        s.observe("b", new long[][] {{0, 2}});
        Map<String, Double> shares = s.taskShares();
        assertEquals(Map.of("a", 0.0, "b", 1.0), new LinkedHashMap<>(shares));
        assertArrayEquals(new double[] {0, 1}, s.mixtureUsage()[0], 0);
        assertEquals(List.of("a", "b"), s.tasks());
    }

    @Test
    void refusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new TaskStats(1, 2, 1.0));
        TaskStats s = new TaskStats(2, 2, 0.5);
        assertThrows(IllegalArgumentException.class, () -> s.observe("a", new long[][] {{1, 1}}));
        assertThrows(IllegalArgumentException.class, () -> s.observe("a", new long[][] {{1, 1}, {0, 0}}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.usage("zz"));
        assertTrue(e.getMessage().startsWith("--task"), e.getMessage());
    }

    @Test
    void theServingScheduleInterleavesTasksInProportion() {
        Map<String, Integer> batches = new LinkedHashMap<>();
        batches.put("a", 4);
        batches.put("b", 2);
        batches.put("c", 2);
        List<String> order = UsageCollector.schedule(batches);
        assertEquals(List.of("a", "b", "c", "a", "a", "b", "c", "a"), order);
    }
}
