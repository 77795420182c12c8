package io.mohge.allocation;

import java.util.ArrayList;
import java.util.List;

/**
 * The same layout, rank count and load placed by every strategy, side by side (what {@code mohge allocate}
 * prints through {@link BalanceTable}). Greedy is fitted to this very load, i.e. an optimistic baseline.
 *
 * @param entries one per strategy, in the order all-size-decoupled, contiguous, greedy
 */
public record StrategyComparison(ExpertLayout layout, int ranks, ExpertLoad load, int hiddenSize, List<Entry> entries) {

    /**
     * One strategy's result: a report, or why that strategy cannot place this layout (e.g. odd G).
     */
    public record Entry(AllocationConfig.Strategy strategy, BalanceReport report, String unavailable) {
        public boolean available() { return report != null; }
    }

    public StrategyComparison {
        entries = List.copyOf(entries);
    }

    /**
     * Places the layout with every strategy and reports each.
     *
     * @param hiddenSize h for parameter counts, 0 if unknown
     * @throws IllegalArgumentException if {@code ranks} suits no strategy (the message lists valid rank counts)
     *                                  or the load does not match the layout
     */
    public static StrategyComparison of(ExpertLayout layout, int ranks, ExpertLoad load, int hiddenSize) {
        layout.checkRanks(ranks);
        load.checkMatches(layout);
        List<Entry> entries = new ArrayList<>();
        for (AllocationConfig.Strategy s : AllocationConfig.Strategy.values()) {
            Placement placement;
            try {
                placement = PlacementStrategy.of(s, load).place(layout, ranks);
            } catch (IllegalArgumentException e) {
                entries.add(new Entry(s, null, e.getMessage()));
                continue;
            }
            entries.add(new Entry(s, BalanceReport.of(placement, load, hiddenSize), null));
        }
        return new StrategyComparison(layout, ranks, load, hiddenSize, entries);
    }

    /** The entry of {@code strategy}. */
    public Entry entry(AllocationConfig.Strategy strategy) {
        return entries.stream().filter(e -> e.strategy() == strategy).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("strategy: " + strategy + " not in this comparison"));
    }

    /** Plain-text table, see {@link BalanceTable#render(StrategyComparison)}. */
    public String toTable() { return BalanceTable.render(this); }
}
