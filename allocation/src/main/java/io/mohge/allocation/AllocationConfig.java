package io.mohge.allocation;

/**
 * How routed experts are placed on expert-parallel ranks (YAML section {@code allocation}).
 *
 * @param strategy placement strategy (docs/method.md section 6)
 * @param ranks    number of expert-parallel ranks (GPUs) the placement and balance report are made for
 */
public record AllocationConfig(Strategy strategy, int ranks) {

    public static final AllocationConfig DEFAULTS = new AllocationConfig(Strategy.ALL_SIZE_DECOUPLED, 4);

    /** Placement strategies; YAML spells them in kebab case, e.g. {@code all-size-decoupled}. */
    public enum Strategy { ALL_SIZE_DECOUPLED, CONTIGUOUS, GREEDY }

    public AllocationConfig {
        if (strategy == null) {
            throw new IllegalArgumentException("strategy: choose all-size-decoupled, contiguous or greedy");
        }
        if (ranks < 1) throw new IllegalArgumentException("ranks: must be 1 or more, got " + ranks);
    }
}
