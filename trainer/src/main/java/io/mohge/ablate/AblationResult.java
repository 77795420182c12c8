package io.mohge.ablate;

import io.mohge.allocation.PlacementStrategy;
import io.mohge.config.RunConfig;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamCount;
import io.mohge.train.TrainResult;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One row of an ablation table, from a run's config and its metrics.csv.
 *
 * @param totalParams    all trainable parameters
 * @param routedParams   routed expert parameters (all layers)
 * @param activeParams   parameters used per token, measured over the run (heterogeneous experts make it depend on
 *                       routing); ParamCount's estimate when the run logged none
 * @param valLoss        the last validation loss
 * @param tokensPerSecond mean training throughput over the logged intervals after the first
 * @param imbalance      mean per-rank compute imbalance (max/mean of tokens x width) of the configured placement
 * @param imbalanceContiguous the same for the contiguous placement, for comparison
 * @param routing        the last evaluation's routing figures (val_switch_rate, val_set_switch_rate and their per-layer
 *                       columns, val_decision_rate, val_loads_per_token.M, val_bytes_per_token.M); empty when dense
 */
public record AblationResult(String name, ModelConfig.FfnType ffn, String strategy, long totalParams,
                             long routedParams, double activeParams, double valLoss, double tokensPerSecond,
                             double imbalance, double imbalanceContiguous, Map<String, Double> routing,
                             TrainResult.Stop stop) {

    public AblationResult {
        routing = Map.copyOf(routing);
    }

    static AblationResult of(String name, RunConfig cfg, ParamCount count, List<Map<String, Double>> metrics,
                             TrainResult.Stop stop) {
        long routed = ParamCount.routedExpertsPerLayer(cfg.model()) * cfg.model().nLayers();
        double active = mean(metrics, "active_params", r -> true);
        return new AblationResult(name, cfg.model().ffn(),
                PlacementStrategy.nameOf(cfg.allocation().strategy()),
                count.totalParams(), routed, Double.isNaN(active) ? count.activeParams() : active,
                last(metrics, "val_loss"), mean(metrics, "tokens_per_s", r -> r != metrics.get(0)),
                mean(metrics, "imbalance", r -> true), mean(metrics, "imbalance_contiguous", r -> true),
                lastRouting(metrics), stop);
    }

    /** The Markdown table of a set; "saved vs MoE" compares routed expert parameters with the set's first moe run. */
    static String markdown(AblationSet set, List<AblationResult> rows) {
        AblationResult moe = rows.stream().filter(r -> r.ffn() == ModelConfig.FfnType.MOE).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        sb.append("# Ablation ").append(set.file()).append("\n\n");
        sb.append("Base config `").append(set.base()).append("`, shared settings ").append(set.shared()).append(".\n\n");
        sb.append("| run | FFN | total params | routed expert params | routed saved vs MoE | active params/token "
                + "| val loss | tokens/s | per-GPU imbalance (placement) | imbalance (contiguous) |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (AblationResult r : rows) {
            String saved = moe == null || r.routedParams() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.1f%%", 100.0 * (1 - (double) r.routedParams() / moe.routedParams()));
            boolean routed = r.ffn() != ModelConfig.FfnType.DENSE;
            sb.append(String.format(Locale.ROOT, "| %s%s | %s | %,d | %,d | %s | %,.0f | %.4f | %,.0f | %s | %s |%n",
                    r.name(), r.stop() == TrainResult.Stop.COMPLETED ? "" : " (" + r.stop() + ")",
                    r.ffn().name().toLowerCase(Locale.ROOT), r.totalParams(), r.routedParams(), saved, r.activeParams(),
                    r.valLoss(), r.tokensPerSecond(),
                    routed ? String.format(Locale.ROOT, "%.3f (%s)", r.imbalance(), r.strategy()) : "-",
                    routed ? String.format(Locale.ROOT, "%.3f", r.imbalanceContiguous()) : "-"));
        }
        sb.append("\nImbalance: max over ranks of routed tokens x expert width divided by its mean (1.0 is perfect), "
                + "for allocation.ranks ranks, averaged over the logged intervals.\n");
        if (rows.stream().anyMatch(r -> !r.routing().isEmpty())) sb.append(RoutingTable.markdown(rows));
        return sb.toString();
    }

    /** The val_ routing columns of the last row that evaluated. */
    private static Map<String, Double> lastRouting(List<Map<String, Double>> rows) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Map<String, Double> r = rows.get(i);
            Double v = r.get("val_loss");
            if (v == null || !Double.isFinite(v)) continue;
            Map<String, Double> out = new java.util.TreeMap<>();
            r.forEach((k, x) -> {
                if (k.startsWith("val_") && !k.equals("val_loss") && !k.equals("val_ppl") && x != null && !x.isNaN()) {
                    out.put(k, x);
                }
            });
            return out;
        }
        return Map.of();
    }

    private static double mean(List<Map<String, Double>> rows, String column, Predicate<Map<String, Double>> use) {
        return rows.stream().filter(use).map(r -> r.get(column)).filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double last(List<Map<String, Double>> rows, String column) {
        for (int i = rows.size() - 1; i >= 0; i--) {
            Double v = rows.get(i).get(column);
            if (v != null && Double.isFinite(v)) return v;
        }
        return Double.NaN;
    }
}
