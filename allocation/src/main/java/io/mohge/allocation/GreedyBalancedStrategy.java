package io.mohge.allocation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cost-balanced baseline for comparison: longest-processing-time-first greedy with a slot limit.
 *
 * <p>Expert cost = tokens x width when a load is given, else width alone. Experts are taken in order of
 * descending cost (ties: wider first, then lower logical index) and each goes to the rank with the least
 * accumulated cost among ranks that still have a free slot (ties: least accumulated width, then lowest rank).
 * Every rank ends with exactly E / ranks experts; each rank's experts are stored in ascending logical order.
 * With a load this is fitted to that load (an optimistic baseline: the real future load is not known when
 * the placement is fixed).
 */
public final class GreedyBalancedStrategy implements PlacementStrategy {

    private final ExpertLoad load; // null: balance widths only

    /** Balances summed widths (parameters) only. */
    public GreedyBalancedStrategy() { this.load = null; }

    /** Balances tokens x width of the given load (ties broken by width). */
    public GreedyBalancedStrategy(ExpertLoad load) {
        if (load == null) throw new IllegalArgumentException("load: null; use the no-argument constructor to balance widths");
        this.load = load;
    }

    @Override
    public AllocationConfig.Strategy strategy() { return AllocationConfig.Strategy.GREEDY; }

    @Override
    public Placement place(ExpertLayout layout, int ranks) {
        layout.checkRanks(ranks);
        int e = layout.experts();
        if (load != null) load.checkMatches(layout);
        long[] cost = new long[e];
        for (int l = 0; l < e; l++) {
            cost[l] = load == null ? layout.expertWidth(l) : Math.multiplyExact(load.tokens(l), layout.expertWidth(l));
        }
        Integer[] order = new Integer[e];
        for (int l = 0; l < e; l++) order[l] = l;
        Arrays.sort(order, Comparator.<Integer>comparingLong(l -> -cost[l])
                .thenComparingInt(l -> -layout.expertWidth(l))
                .thenComparingInt(l -> l));

        int perRank = e / ranks;
        long[] rankCost = new long[ranks];
        long[] rankWidth = new long[ranks];
        List<List<Integer>> local = new ArrayList<>();
        for (int r = 0; r < ranks; r++) local.add(new ArrayList<>());
        for (int l : order) {
            int best = -1;
            for (int r = 0; r < ranks; r++) {
                if (local.get(r).size() == perRank) continue;
                if (best < 0 || rankCost[r] < rankCost[best]
                        || (rankCost[r] == rankCost[best] && rankWidth[r] < rankWidth[best])) {
                    best = r;
                }
            }
            local.get(best).add(l);
            rankCost[best] = Math.addExact(rankCost[best], cost[l]);
            rankWidth[best] += layout.expertWidth(l);
        }
        int[][] experts = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            experts[r] = local.get(r).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return Placement.of(strategy(), layout, experts);
    }
}
