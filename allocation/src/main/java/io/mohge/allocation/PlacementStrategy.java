package io.mohge.allocation;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Places the E logical experts of an {@link ExpertLayout} on expert-parallel ranks (docs/method.md section 6).
 * Implementations: {@link AllSizeDecoupledStrategy} (MoHGE), {@link ContiguousStrategy} (Megatron default)
 * and {@link GreedyBalancedStrategy} (cost-balanced baseline).
 */
public interface PlacementStrategy {

    /** Which strategy this is. */
    AllocationConfig.Strategy strategy();

    /**
     * The placement of {@code layout}'s experts on {@code ranks} ranks.
     *
     * @throws IllegalArgumentException if the request is impossible; the message says what would work
     */
    Placement place(ExpertLayout layout, int ranks);

    /** The strategy selected by the config; greedy balances widths only (no token counts known yet). */
    static PlacementStrategy of(AllocationConfig.Strategy strategy) {
        return switch (strategy) {
            case ALL_SIZE_DECOUPLED -> new AllSizeDecoupledStrategy();
            case CONTIGUOUS -> new ContiguousStrategy();
            case GREEDY -> new GreedyBalancedStrategy();
        };
    }

    /** The strategy selected by the config; greedy balances the given tokens-per-expert counts. */
    static PlacementStrategy of(AllocationConfig.Strategy strategy, ExpertLoad load) {
        return strategy == AllocationConfig.Strategy.GREEDY ? new GreedyBalancedStrategy(load) : of(strategy);
    }

    /** YAML / JSON spelling of a strategy, e.g. {@code all-size-decoupled}. */
    static String nameOf(AllocationConfig.Strategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Inverse of {@link #nameOf}. */
    static AllocationConfig.Strategy parseName(String name) {
        for (AllocationConfig.Strategy s : AllocationConfig.Strategy.values()) {
            if (nameOf(s).equals(name)) return s;
        }
        throw new IllegalArgumentException("strategy: unknown '" + name + "'; expected one of "
                + Arrays.stream(AllocationConfig.Strategy.values()).map(PlacementStrategy::nameOf)
                        .collect(Collectors.joining(", ")));
    }
}
