package io.mohge.train;

import io.mohge.allocation.BalanceReport;
import io.mohge.allocation.ExpertLayout;
import io.mohge.allocation.ExpertLoad;
import io.mohge.allocation.Placement;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routing metrics of one log interval, from tokens-per-expert counts accumulated over its steps.
 * For a layout of G groups of N experts (logical expert l = g * N + j, docs/method.md section 2):
 * <ul>
 *   <li>{@code group_share.g}: share of all routed (token, expert) assignments that went to group g, over all
 *       layers (G = 1 gives a single share of 1 and is not reported)</li>
 *   <li>{@code expert_load_min} / {@code expert_load_max}: min / max over layers and experts of
 *       n_e / mean_e(n_e), the load relative to perfect balance (1.0)</li>
 *   <li>{@code dead_experts}: (layer, expert) pairs that received no token in the interval</li>
 *   <li>{@code switch_rate}: share of consecutive token pairs of a sequence whose top-1 expert differs,
 *       averaged over layers (see {@link #switchRate})</li>
 *   <li>{@code imbalance}: the allocation module's compute imbalance, max over ranks of sum(tokens x width)
 *       over its mean (docs/method.md section 6), for the configured placement, worst layer; and
 *       {@code imbalance_contiguous}: the same for the naive contiguous placement, for comparison</li>
 * </ul>
 */
public final class RoutingStats {

    private final ExpertLayout layout;
    private final Placement placement;
    private final Placement contiguous;
    private final long[][] counts; // [layers][E], summed over the interval
    private double switchSum;
    private long switchSamples;

    /**
     * @param placement  the configured placement (null: no imbalance reported)
     * @param contiguous the contiguous placement for comparison (null: not reported)
     */
    public RoutingStats(ExpertLayout layout, int layers, Placement placement, Placement contiguous) {
        this.layout = layout;
        this.placement = placement;
        this.contiguous = contiguous;
        this.counts = new long[layers][layout.experts()];
    }

    public ExpertLayout layout() {
        return layout;
    }

    /** Adds one batch's tokens-per-expert counts of {@code layer} ([E]). */
    public void add(int layer, long[] tokensPerExpert) {
        if (tokensPerExpert.length != layout.experts()) {
            throw new IllegalArgumentException("tokens_per_expert of layer " + layer + " has " + tokensPerExpert.length
                    + " entries but the model has " + layout.experts() + " routed experts");
        }
        for (int e = 0; e < tokensPerExpert.length; e++) counts[layer][e] += tokensPerExpert[e];
    }

    /** Adds one switch-rate observation (from {@link #switchRate}), e.g. one layer of one batch. */
    public void addSwitchRate(double rate) {
        if (Double.isFinite(rate)) {
            switchSum += rate;
            switchSamples++;
        }
    }

    /** Counts of the interval, [layers][E] (a copy). */
    public long[][] counts() {
        long[][] c = new long[counts.length][];
        for (int i = 0; i < c.length; i++) c[i] = counts[i].clone();
        return c;
    }

    /**
     * Share of consecutive positions whose top-1 expert differs from the previous token's.
     *
     * @param topExpert [B][T] logical id of each token's highest-gated expert
     */
    public static double switchRate(int[][] topExpert) {
        long pairs = 0;
        long switches = 0;
        for (int[] seq : topExpert) {
            for (int t = 1; t < seq.length; t++) {
                pairs++;
                if (seq[t] != seq[t - 1]) switches++;
            }
        }
        return pairs == 0 ? Double.NaN : (double) switches / pairs;
    }

    /** {@link #switchRate(int[][])} of {@code sequences} rows of {@code seqLen} positions stored one after another. */
    public static double switchRate(int[] topExpert, int sequences, int seqLen) {
        long pairs = 0;
        long switches = 0;
        for (int s = 0; s < sequences; s++) {
            for (int t = 1; t < seqLen; t++) {
                pairs++;
                if (topExpert[s * seqLen + t] != topExpert[s * seqLen + t - 1]) switches++;
            }
        }
        return pairs == 0 ? Double.NaN : (double) switches / pairs;
    }

    /** The metrics of the interval (see class comment); empty when no token was routed. */
    public Map<String, Double> metrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        long total = Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
        if (total == 0) return out;
        int groups = layout.groups();
        if (groups > 1) {
            long[] perGroup = new long[groups];
            for (long[] layer : counts) {
                for (int e = 0; e < layer.length; e++) perGroup[layout.groupOf(e)] += layer[e];
            }
            for (int g = 0; g < groups; g++) out.put(Plots.GROUP_SHARE_PREFIX + g, (double) perGroup[g] / total);
        }
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        long dead = 0;
        double imbalance = Double.NaN;
        double imbalanceContiguous = Double.NaN;
        for (long[] layer : counts) {
            double mean = (double) Arrays.stream(layer).sum() / layer.length;
            for (long n : layer) {
                if (n == 0) dead++;
                if (mean > 0) {
                    min = Math.min(min, n / mean);
                    max = Math.max(max, n / mean);
                }
            }
            if (mean > 0) {
                ExpertLoad load = ExpertLoad.of(layer, "training interval");
                if (placement != null) {
                    imbalance = nanMax(imbalance, BalanceReport.of(placement, load).computeImbalance());
                }
                if (contiguous != null) {
                    imbalanceContiguous = nanMax(imbalanceContiguous, BalanceReport.of(contiguous, load).computeImbalance());
                }
            }
        }
        out.put("expert_load_min", min);
        out.put("expert_load_max", max);
        out.put("dead_experts", (double) dead);
        out.put("switch_rate", switchSamples == 0 ? Double.NaN : switchSum / switchSamples);
        if (placement != null) out.put("imbalance", imbalance);
        if (contiguous != null) out.put("imbalance_contiguous", imbalanceContiguous);
        return out;
    }

    /** Starts a new interval. */
    public void reset() {
        for (long[] layer : counts) Arrays.fill(layer, 0);
        switchSum = 0;
        switchSamples = 0;
    }

    private static double nanMax(double a, double b) {
        return Double.isNaN(a) ? b : Math.max(a, b);
    }
}
