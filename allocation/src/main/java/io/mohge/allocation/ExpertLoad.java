package io.mohge.allocation;

import java.util.Arrays;

/**
 * Tokens routed to each logical expert (l = g*N + j), from a training run ({@link LoadStats}) or synthetic.
 * Immutable; counts are non-negative.
 */
public final class ExpertLoad {

    private final long[] tokensPerExpert; // [E]
    private final String source;

    private ExpertLoad(long[] tokensPerExpert, String source) {
        this.tokensPerExpert = tokensPerExpert;
        this.source = source;
    }

    /**
     * A load from explicit counts.
     *
     * @param tokensPerExpert [E] tokens routed to each logical expert, all >= 0
     * @param source          where the counts come from, shown in reports
     */
    public static ExpertLoad of(long[] tokensPerExpert, String source) {
        if (tokensPerExpert == null || tokensPerExpert.length == 0) {
            throw new IllegalArgumentException("tokens_per_expert: need one count per expert, got none");
        }
        for (int l = 0; l < tokensPerExpert.length; l++) {
            if (tokensPerExpert[l] < 0) {
                throw new IllegalArgumentException("tokens_per_expert: expert " + l + " has " + tokensPerExpert[l]
                        + " tokens; counts must be 0 or more");
            }
        }
        return new ExpertLoad(tokensPerExpert.clone(), source == null ? "given counts" : source);
    }

    /** Every expert receives {@code tokensPerExpert} tokens. */
    public static ExpertLoad uniform(ExpertLayout layout, long tokensPerExpert) {
        long[] t = new long[layout.experts()];
        Arrays.fill(t, tokensPerExpert);
        return of(t, "synthetic uniform, " + tokensPerExpert + " tokens per expert");
    }

    /**
     * Group-skewed synthetic load with equal load within each group (what the intra-group loss aims for,
     * docs/method.md section 4): group g receives the share {@code groupShares[g] / sum(groupShares)} of
     * {@code totalTokens}, split evenly over its N experts (each expert gets round(total * share_g / N), so the
     * total may differ from {@code totalTokens} by rounding).
     */
    public static ExpertLoad groupSkewed(ExpertLayout layout, double[] groupShares, long totalTokens) {
        int g = layout.groups();
        if (groupShares == null || groupShares.length != g) {
            throw new IllegalArgumentException("group_shares: expected one share per group (" + g + " values), got "
                    + (groupShares == null ? "none" : groupShares.length));
        }
        double sum = 0;
        for (double s : groupShares) {
            if (!(s >= 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("group_shares: every share must be a finite number >= 0, got "
                        + Arrays.toString(groupShares));
            }
            sum += s;
        }
        if (!(sum > 0)) throw new IllegalArgumentException("group_shares: all shares are 0; give at least one group a share");
        if (totalTokens < 0) throw new IllegalArgumentException("total_tokens: must be 0 or more, got " + totalTokens);
        long[] t = new long[layout.experts()];
        for (int l = 0; l < t.length; l++) {
            t[l] = Math.round(totalTokens * (groupShares[layout.groupOf(l)] / sum) / layout.expertsPerGroup());
        }
        StringBuilder shares = new StringBuilder();
        for (int k = 0; k < g; k++) shares.append(k == 0 ? "" : ", ").append(String.format("%.3f", groupShares[k] / sum));
        return of(t, "synthetic group skew, group shares [" + shares + "], equal within groups");
    }

    /** Number of experts E covered. */
    public int experts() { return tokensPerExpert.length; }

    /** Tokens routed to logical expert l. */
    public long tokens(int logicalExpert) { return tokensPerExpert[logicalExpert]; }

    /** [E] copy of the counts. */
    public long[] toArray() { return tokensPerExpert.clone(); }

    /** Total tokens over experts (a token routed to K experts counts K times). */
    public long total() {
        long sum = 0;
        for (long t : tokensPerExpert) sum = Math.addExact(sum, t);
        return sum;
    }

    public String source() { return source; }

    /** Throws unless this load has one count per expert of {@code layout}. */
    void checkMatches(ExpertLayout layout) {
        if (tokensPerExpert.length != layout.experts()) {
            throw new IllegalArgumentException("tokens_per_expert: " + source + " has " + tokensPerExpert.length
                    + " counts but the layout has E = " + layout.experts() + " experts (" + layout.groups()
                    + " groups x " + layout.expertsPerGroup() + "); use counts from a model with the same experts");
        }
    }

    @Override
    public String toString() { return "ExpertLoad[" + source + ", " + Arrays.toString(tokensPerExpert) + "]"; }
}
