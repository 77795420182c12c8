package io.mohge.allocation;

/**
 * Per-rank parameters and compute of a {@link Placement} under an {@link ExpertLoad} (docs/method.md section 6).
 *
 * <ul>
 *   <li>width sum W_r = sum of s_g over the experts on rank r; params_r = 3 * h * W_r (SwiGLU, no biases)</li>
 *   <li>tokens_r = sum of tokens over the experts on rank r</li>
 *   <li>compute_r = sum over the experts on rank r of tokens_e * width_e (proportional to FLOPs)</li>
 *   <li>imbalance = max_r / mean_r (1.0 is perfect), for compute and for params</li>
 * </ul>
 */
public final class BalanceReport {

    private final Placement placement;
    private final ExpertLoad load;
    private final int hiddenSize;      // 0: unknown, params not reported
    private final long[] widthSum;     // [ranks]
    private final long[] tokens;       // [ranks]
    private final long[] compute;      // [ranks]

    private BalanceReport(Placement placement, ExpertLoad load, int hiddenSize) {
        this.placement = placement;
        this.load = load;
        this.hiddenSize = hiddenSize;
        int ranks = placement.ranks();
        ExpertLayout layout = placement.layout();
        widthSum = new long[ranks];
        tokens = new long[ranks];
        compute = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            for (int l : placement.localExperts(r)) {
                int w = layout.expertWidth(l);
                widthSum[r] += w;
                tokens[r] = Math.addExact(tokens[r], load.tokens(l));
                compute[r] = Math.addExact(compute[r], Math.multiplyExact(load.tokens(l), (long) w));
            }
        }
    }

    /** Report without parameter counts (width sums only). */
    public static BalanceReport of(Placement placement, ExpertLoad load) { return of(placement, load, 0); }

    /**
     * Report with parameter counts for hidden size {@code hiddenSize} (0 = unknown: params not reported).
     *
     * @throws IllegalArgumentException if the load does not match the placement's experts or routes no token
     */
    public static BalanceReport of(Placement placement, ExpertLoad load, int hiddenSize) {
        if (placement == null) throw new IllegalArgumentException("placement: missing");
        if (load == null) throw new IllegalArgumentException("tokens_per_expert: missing load");
        load.checkMatches(placement.layout());
        if (load.total() == 0) {
            throw new IllegalArgumentException("tokens_per_expert: " + load.source() + " routes no token to any expert; "
                    + "compute balance is undefined (use a synthetic uniform load instead)");
        }
        if (hiddenSize < 0) throw new IllegalArgumentException("hidden_size: must be 0 (unknown) or positive, got " + hiddenSize);
        return new BalanceReport(placement, load, hiddenSize);
    }

    public Placement placement() { return placement; }

    public ExpertLoad load() { return load; }

    public int ranks() { return placement.ranks(); }

    /** True when a hidden size was given and {@link #params} is available. */
    public boolean hasParams() { return hiddenSize > 0; }

    public int hiddenSize() { return hiddenSize; }

    public long widthSum(int rank) { return widthSum[rank]; }

    /** 3 * h * W_r routed-expert weights on {@code rank}. */
    public long params(int rank) {
        if (!hasParams()) throw new IllegalStateException("no hidden size given; use BalanceReport.of(placement, load, h)");
        return Math.multiplyExact(3L * hiddenSize, widthSum[rank]);
    }

    public long tokens(int rank) { return tokens[rank]; }

    /** sum over the rank's experts of tokens x width. */
    public long compute(int rank) { return compute[rank]; }

    /** compute_r / mean over ranks of compute. */
    public double computeRelative(int rank) { return compute[rank] / mean(compute); }

    /** max over ranks / mean over ranks of tokens x width (1.0 is perfect). */
    public double computeImbalance() { return max(compute) / mean(compute); }

    /** max over ranks / mean over ranks of parameters (= of width sums). */
    public double paramImbalance() { return max(widthSum) / mean(widthSum); }

    /** max over ranks / mean over ranks of routed tokens. */
    public double tokenImbalance() { return max(tokens) / mean(tokens); }

    private static double max(long[] v) {
        long m = Long.MIN_VALUE;
        for (long x : v) m = Math.max(m, x);
        return m;
    }

    private static double mean(long[] v) {
        double s = 0;
        for (long x : v) s += x;
        return s / v.length;
    }
}
