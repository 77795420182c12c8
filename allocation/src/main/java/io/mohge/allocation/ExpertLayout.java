package io.mohge.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The routed experts of one MoE / MoHGE layer: {@code G = widths.size()} size groups of {@code expertsPerGroup}
 * (N) experts each, E = G * N. Logical expert l = g * N + j has width {@code widths[g]} (docs/method.md sections 1-2).
 * A plain MoE layer is the special case G = 1 ({@link #uniform}).
 *
 * @param widths          FFN width s_g of every expert in group g, non-decreasing (s_0 <= s_1 <= ...)
 * @param expertsPerGroup N, experts in every group
 */
public record ExpertLayout(List<Integer> widths, int expertsPerGroup) {

    public ExpertLayout {
        if (widths == null || widths.isEmpty()) {
            throw new IllegalArgumentException("widths: need one width per group (at least one group), got "
                    + (widths == null ? "none" : "[]"));
        }
        for (Integer w : widths) {
            if (w == null || w <= 0) {
                throw new IllegalArgumentException("widths: every width must be a positive integer, got " + widths);
            }
        }
        widths = List.copyOf(widths);
        for (int g = 1; g < widths.size(); g++) {
            if (widths.get(g) < widths.get(g - 1)) {
                throw new IllegalArgumentException("widths: must not decrease from the first group to the last "
                        + "(s_0 <= s_1 <= ...), got " + widths + "; sort them ascending");
            }
        }
        if (expertsPerGroup < 1) {
            throw new IllegalArgumentException("experts_per_group: must be 1 or more, got " + expertsPerGroup);
        }
        if ((long) widths.size() * expertsPerGroup > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("experts_per_group: " + widths.size() + " groups x " + expertsPerGroup
                    + " experts is too many experts");
        }
    }

    /** Plain MoE: one group of {@code experts} experts of equal {@code width}. */
    public static ExpertLayout uniform(int experts, int width) {
        return new ExpertLayout(List.of(width), experts);
    }

    /** G, the number of size groups. */
    public int groups() { return widths.size(); }

    /** E = G * N, the number of routed experts. */
    public int experts() { return groups() * expertsPerGroup; }

    /** s_g, the width of every expert of group {@code group}. */
    public int width(int group) { return widths.get(group); }

    /** Group g of logical expert l = g * N + j. */
    public int groupOf(int logicalExpert) {
        checkExpert(logicalExpert);
        return logicalExpert / expertsPerGroup;
    }

    /** Width of logical expert l. */
    public int expertWidth(int logicalExpert) { return width(groupOf(logicalExpert)); }

    /** Logical index l = g * N + j. */
    public int logicalIndex(int group, int indexInGroup) {
        if (group < 0 || group >= groups() || indexInGroup < 0 || indexInGroup >= expertsPerGroup) {
            throw new IndexOutOfBoundsException("(group " + group + ", expert " + indexInGroup + ") is outside "
                    + groups() + " groups x " + expertsPerGroup + " experts");
        }
        return group * expertsPerGroup + indexInGroup;
    }

    /** Every rank count a placement of this layout accepts: the divisors of E. */
    public List<Integer> validRankCounts() {
        List<Integer> valid = new ArrayList<>();
        for (int r = 1; r <= experts(); r++) {
            if (experts() % r == 0) valid.add(r);
        }
        return valid;
    }

    /**
     * Rejects a rank count no placement can use: every rank must hold the same number E / ranks >= 1 of experts
     * (the expert-parallel convention of Megatron-LM).
     */
    public void checkRanks(int ranks) {
        String valid = validRankCounts().stream().map(String::valueOf).collect(Collectors.joining(", "));
        String choose = "; choose one of " + valid + " for E = " + experts() + " experts";
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks: must be 1 or more, got " + ranks + choose);
        }
        if (ranks > experts()) {
            throw new IllegalArgumentException("ranks: " + ranks + " is more than the " + experts()
                    + " routed experts, so some rank would hold no expert" + choose);
        }
        if (experts() % ranks != 0) {
            throw new IllegalArgumentException("ranks: " + ranks + " does not divide the " + experts()
                    + " routed experts, so ranks would hold different numbers of experts" + choose);
        }
    }

    private void checkExpert(int logicalExpert) {
        if (logicalExpert < 0 || logicalExpert >= experts()) {
            throw new IndexOutOfBoundsException("logical expert " + logicalExpert + " is outside 0.." + (experts() - 1));
        }
    }
}
