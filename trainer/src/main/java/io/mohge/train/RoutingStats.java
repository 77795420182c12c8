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
 *   <li>{@code switch_rate}: share of consecutive token pairs of a sequence whose top-1 expert differs, over all
 *       layers; {@code set_switch_rate}: whose expert set differs; {@code switch_rate.i} and
 *       {@code set_switch_rate.i} the same for layer i; with switch controllers {@code decision_rate}: share of
 *       the controllers' decisions that switched ({@link SwitchCounts})</li>
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
    private final long[][] switches; // [layers][SwitchCounts.FIELDS], summed over the interval
    private final boolean controller;

    /**
     * @param placement  the configured placement (null: no imbalance reported)
     * @param contiguous the contiguous placement for comparison (null: not reported)
     */
    public RoutingStats(ExpertLayout layout, int layers, Placement placement, Placement contiguous) {
        this(layout, layers, placement, contiguous, false);
    }

    /** @param controller the model has switch controllers (decision_rate is reported) */
    public RoutingStats(ExpertLayout layout, int layers, Placement placement, Placement contiguous, boolean controller) {
        this.layout = layout;
        this.placement = placement;
        this.contiguous = contiguous;
        this.counts = new long[layers][layout.experts()];
        this.switches = new long[layers][SwitchCounts.FIELDS];
        this.controller = controller;
    }

    /** The metric names of the switch rates of {@code layers} layers, in column order. */
    public static java.util.List<String> switchColumns(int layers, boolean controller) {
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of("switch_rate", "set_switch_rate"));
        for (int i = 0; i < layers; i++) out.add("switch_rate." + i);
        for (int i = 0; i < layers; i++) out.add("set_switch_rate." + i);
        if (controller) out.add("decision_rate");
        return out;
    }

    /** The switch-rate metrics of summed counts [layers][FIELDS] (see {@link #switchColumns}); NaN without pairs. */
    public static Map<String, Double> switchMetrics(long[][] switches, boolean controller) {
        Map<String, Double> out = new LinkedHashMap<>();
        long[] all = new long[SwitchCounts.FIELDS];
        for (long[] layer : switches) for (int f = 0; f < all.length; f++) all[f] += layer[f];
        out.put("switch_rate", ratio(all[SwitchCounts.TOP1], all[SwitchCounts.PAIRS]));
        out.put("set_switch_rate", ratio(all[SwitchCounts.SET], all[SwitchCounts.PAIRS]));
        for (int i = 0; i < switches.length; i++) {
            out.put("switch_rate." + i, ratio(switches[i][SwitchCounts.TOP1], switches[i][SwitchCounts.PAIRS]));
        }
        for (int i = 0; i < switches.length; i++) {
            out.put("set_switch_rate." + i, ratio(switches[i][SwitchCounts.SET], switches[i][SwitchCounts.PAIRS]));
        }
        if (controller) out.put("decision_rate", ratio(all[SwitchCounts.DECISIONS], all[SwitchCounts.PAIRS]));
        return out;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? Double.NaN : (double) a / b;
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

    /** Adds switch counts [layers][{@link SwitchCounts#FIELDS}], e.g. of one optimizer step. */
    public void addSwitches(long[][] stepSwitches) {
        if (stepSwitches.length != switches.length) {
            throw new IllegalArgumentException("switch counts of " + stepSwitches.length + " layers for a model of "
                    + switches.length + " routed layers");
        }
        SwitchCounts.add(switches, stepSwitches);
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
        out.putAll(switchMetrics(switches, controller));
        if (placement != null) out.put("imbalance", imbalance);
        if (contiguous != null) out.put("imbalance_contiguous", imbalanceContiguous);
        return out;
    }

    /** Starts a new interval. */
    public void reset() {
        for (long[] layer : counts) Arrays.fill(layer, 0);
        for (long[] layer : switches) Arrays.fill(layer, 0);
    }

    private static double nanMax(double a, double b) {
        return Double.isNaN(a) ? b : Math.max(a, b);
    }
}
