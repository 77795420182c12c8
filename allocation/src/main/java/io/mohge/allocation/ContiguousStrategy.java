package io.mohge.allocation;

/**
 * Megatron-LM's default expert-parallel placement: rank r holds logical experts [r * E/EP, (r+1) * E/EP) in
 * logical order (docs/method.md section 6). With size groups this puts whole groups on single GPUs, so a group-skewed
 * load unbalances per-GPU compute.
 */
public final class ContiguousStrategy implements PlacementStrategy {

    @Override
    public AllocationConfig.Strategy strategy() { return AllocationConfig.Strategy.CONTIGUOUS; }

    @Override
    public Placement place(ExpertLayout layout, int ranks) {
        layout.checkRanks(ranks);
        int[] physicalOrder = new int[layout.experts()];
        for (int l = 0; l < physicalOrder.length; l++) physicalOrder[l] = l;
        return Placement.fromPhysicalOrder(strategy(), layout, ranks, physicalOrder);
    }
}
