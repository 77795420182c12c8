package io.mohge.train;

import io.mohge.allocation.ExpertLayout;
import io.mohge.losses.LossNames;
import io.mohge.model.ModelConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates the steps of one log interval and turns them into a metrics row with a fixed column order:
 * <pre>
 *   step, lr, loss, lm_loss, group_aux, intra_aux, switch_aux, z_loss   (loss terms: mean over the interval)
 *   grad_norm (mean pre-clip global norm), val_loss, val_ppl (at evaluation steps),
 *   tokens_per_s (training compute only), mfu ({@link Flops}), active_params (per token, measured routing)
 *   routed models: group_share.g (mohge), expert_load_min, expert_load_max, dead_experts, switch_rate,
 *                  set_switch_rate, switch_rate.i, set_switch_rate.i, decision_rate (controllers), imbalance,
 *                  imbalance_contiguous, dropped_tokens ({@link RoutingStats}); at evaluation steps the same switch
 *                  rates of the validation batches under greedy decisions (val_switch_rate, ...) and the expert-cache
 *                  loads per token (val_loads_per_token.M, M resident experts per layer; {@link ExpertCache})
 *   temporal routing / distillation: delib_cost, distill_kl (loss terms)
 *   rss_gb (resident memory of the process at the end of the interval), elapsed_s (wall time since this
 *   process started training)
 * </pre>
 */
final class TrainMetrics {

    private final ModelConfig model;
    private final RoutingStats routing; // null for dense models
    private final int[] expertWidths;
    private final double peakFlops;
    private final List<String> columns = new ArrayList<>();
    private final Map<String, Double> lossSums = new LinkedHashMap<>();
    private double gradNormSum;
    private int steps;
    private long tokens;
    private long computeNanos;
    private double dropped;
    private long residentBytes;

    TrainMetrics(ModelConfig model, RoutingStats routing, double peakFlops, boolean distill, List<String> evalColumns) {
        this.model = model;
        this.routing = routing;
        this.peakFlops = peakFlops;
        this.expertWidths = routing == null ? new int[0] : widths(routing.layout());
        columns.add(MetricsLog.STEP);
        columns.add("lr");
        columns.addAll(LossNames.ALL);
        if (model.hasController()) columns.add(LossNames.DELIB_COST);
        if (distill) columns.add(LossNames.DISTILL);
        columns.addAll(List.of("grad_norm", "val_loss", "val_ppl", "tokens_per_s", "mfu", "active_params"));
        if (routing != null) {
            for (int g = 0; routing.layout().groups() > 1 && g < routing.layout().groups(); g++) {
                columns.add(Plots.GROUP_SHARE_PREFIX + g);
            }
            columns.addAll(List.of("expert_load_min", "expert_load_max", "dead_experts"));
            columns.addAll(RoutingStats.switchColumns(model.nLayers(), model.hasController()));
            columns.addAll(List.of("imbalance", "imbalance_contiguous", "dropped_tokens"));
        }
        columns.addAll(evalColumns);
        columns.add("rss_gb");
        columns.add("elapsed_s");
    }

    List<String> columns() {
        return columns;
    }

    /** Adds one optimizer step, with the process's resident memory after it. */
    void add(GradientStep.Result r, double gradNorm, long nanos, long residentBytes) {
        this.residentBytes = residentBytes;
        r.losses().forEach((k, v) -> lossSums.merge(k, v, Double::sum));
        gradNormSum += gradNorm;
        steps++;
        tokens += r.tokens();
        computeNanos += nanos;
        dropped += r.droppedTokens();
        if (routing != null) {
            for (int i = 0; i < r.tokensPerExpert().length; i++) routing.add(i, r.tokensPerExpert()[i]);
            routing.addSwitches(r.switches());
        }
    }

    boolean isEmpty() {
        return steps == 0;
    }

    /** Tokens per second of training compute in the interval so far. */
    double tokensPerSecond() {
        return computeNanos == 0 ? 0 : tokens / (computeNanos * 1e-9);
    }

    /** Mean of a loss term over the interval so far. */
    double meanLoss(String term) {
        return steps == 0 ? Double.NaN : lossSums.getOrDefault(term, Double.NaN) / steps;
    }

    /**
     * The row for {@code step}; then starts a new interval. {@code valLoss} is NaN when not evaluated; {@code eval}
     * holds the evaluation's other figures (empty when not evaluated).
     */
    Map<String, Double> rowAndReset(long step, double lr, double valLoss, Map<String, Double> eval, double elapsedSeconds) {
        Map<String, Double> row = new LinkedHashMap<>();
        row.put(MetricsLog.STEP, (double) step);
        row.put("lr", lr);
        if (steps > 0) {
            lossSums.forEach((k, v) -> row.put(k, v / steps));
            row.put("grad_norm", gradNormSum / steps);
        }
        if (!Double.isNaN(valLoss)) {
            row.put("val_loss", valLoss);
            row.put("val_ppl", Math.exp(valLoss));
        }
        if (steps > 0) {
            double tps = tokensPerSecond();
            double routedWidth = routing == null ? 0 : measuredRoutedWidth();
            double active = Flops.activeParams(model, routedWidth);
            row.put("tokens_per_s", tps);
            row.put("mfu", Flops.perToken(model, routedWidth) * tps / peakFlops);
            row.put("active_params", active);
        }
        if (routing != null && steps > 0) {
            row.putAll(routing.metrics());
            row.put("dropped_tokens", dropped);
        }
        row.putAll(eval);
        if (steps > 0) row.put("rss_gb", residentBytes / 1e9);
        row.put("elapsed_s", elapsedSeconds);
        reset();
        return row;
    }

    private double measuredRoutedWidth() {
        long[][] counts = routing.counts();
        if (counts.length == 0 || tokens == 0) return Flops.uniformRoutedWidth(model);
        double sum = 0;
        for (long[] layer : counts) sum += Flops.routedWidthPerToken(layer, expertWidths, tokens);
        return sum / counts.length;
    }

    private void reset() {
        lossSums.clear();
        gradNormSum = 0;
        steps = 0;
        tokens = 0;
        computeNanos = 0;
        dropped = 0;
        if (routing != null) routing.reset();
    }

    private static int[] widths(ExpertLayout layout) {
        int[] w = new int[layout.experts()];
        for (int e = 0; e < w.length; e++) w[e] = layout.expertWidth(e);
        return w;
    }
}
