package io.mohge.allocation;

/**
 * MoHGE all-size group-decoupling allocation (docs/method.md section 6; arXiv 2604.23108).
 *
 * <p>Logical expert (g, j) goes to physical slot p = j * G + pi^-1(g), with
 * pi = [0, G-1, 1, G-2, ..., G/2-1, G/2] pairing the smallest group with the largest; rank r holds the
 * contiguous physical slots [r * E/EP, (r+1) * E/EP). So physical slots run through all groups (in pi order)
 * for j = 0, then again for j = 1, and so on.
 *
 * <p>When EP divides N every rank holds N/EP experts of every group, so per-rank compute
 * (E/(EP*G)) * sum_g (n_g/N) * s_g is equal for any group load n_g as long as loads are equal within groups.
 * When EP > N (but EP divides E) a rank holds whole pi-pairs (g, G-1-g) only; widths in arithmetic progression
 * still give equal parameter sums, compute is then unequal under group skew: the placement is made anyway and
 * {@link BalanceReport} shows the imbalance.
 *
 * <p>G must be even; G = 1 (plain MoE) is accepted as the trivial case pi = [0].
 */
public final class AllSizeDecoupledStrategy implements PlacementStrategy {

    @Override
    public AllocationConfig.Strategy strategy() { return AllocationConfig.Strategy.ALL_SIZE_DECOUPLED; }

    /** pi for G groups: pi[2i] = i, pi[2i+1] = G-1-i; for G = 8 it is [0, 7, 1, 6, 2, 5, 3, 4]. */
    public static int[] pi(int groups) {
        checkGroups(groups);
        int[] pi = new int[groups];
        for (int i = 0; i < groups / 2; i++) {
            pi[2 * i] = i;
            pi[2 * i + 1] = groups - 1 - i;
        }
        return pi;
    }

    /** Physical slot p = j * G + pi^-1(g) of logical expert (g, j). */
    public static int physicalSlot(ExpertLayout layout, int group, int indexInGroup) {
        int[] pi = pi(layout.groups());
        layout.logicalIndex(group, indexInGroup); // bounds check
        for (int k = 0; k < pi.length; k++) {
            if (pi[k] == group) return indexInGroup * layout.groups() + k;
        }
        throw new IllegalStateException("pi is not a permutation");
    }

    @Override
    public Placement place(ExpertLayout layout, int ranks) {
        checkGroups(layout.groups());
        layout.checkRanks(ranks);
        int g = layout.groups();
        int[] pi = pi(g);
        int[] physicalOrder = new int[layout.experts()]; // slot p -> logical expert
        for (int j = 0; j < layout.expertsPerGroup(); j++) {
            for (int k = 0; k < g; k++) {
                physicalOrder[j * g + k] = layout.logicalIndex(pi[k], j);
            }
        }
        return Placement.fromPhysicalOrder(strategy(), layout, ranks, physicalOrder);
    }

    private static void checkGroups(int groups) {
        if (groups < 1 || (groups > 1 && groups % 2 != 0)) {
            throw new IllegalArgumentException("groups: all-size-decoupled pairs the smallest group with the largest "
                    + "and needs an even number of size groups, got G = " + groups + "; use an even G (or G = 1 for "
                    + "plain MoE), or strategy contiguous or greedy");
        }
    }
}
