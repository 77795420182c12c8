package io.mohge.ablate;

import io.mohge.allocation.PlacementStrategy;
import io.mohge.config.RunConfig;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamCount;
import io.mohge.train.MetricsLog;
import io.mohge.train.Plots;

import java.util.List;
import java.util.Map;

/**
 * The figures of one finished (or stopped) ablation job, read from its config and its metrics.csv.
 *
 * <p>Routing figures (active parameters, group shares, imbalance) are means over the logged intervals of the
 * second half of training: with the default {@code losses.group_start_fraction: 0.5} that is where the group-wise
 * loss acts, and it leaves out the router's first, unsettled steps.
 *
 * @param totalParams    all trainable parameters
 * @param routedParams   routed expert parameters (all layers)
 * @param activeParams   parameters used per token as measured (heterogeneous experts make it depend on routing);
 *                       ParamCount's estimate when the run logged none
 * @param valLoss        the last validation loss
 * @param tokensPerSecond mean training throughput over the logged intervals after the first
 * @param groupShares    share of routed assignments per expert group (empty unless the FFN is MoHGE)
 * @param imbalance      per-rank compute imbalance (max/mean of tokens x width) of the configured placement
 * @param imbalanceContiguous the same for the contiguous placement, for comparison
 * @param stepsDone      the last logged step
 * @param stepsPlanned   trainer.steps
 */
public record AblationResult(String name, Long seed, ModelConfig.FfnType ffn, String strategy, long totalParams,
                             long routedParams, double activeParams, double valLoss, double tokensPerSecond,
                             double[] groupShares, double imbalance, double imbalanceContiguous,
                             long stepsDone, long stepsPlanned) {

    public boolean complete() {
        return stepsDone >= stepsPlanned;
    }

    static AblationResult of(AblationSet.Job job, RunConfig cfg, List<Map<String, Double>> metrics) {
        ModelConfig model = cfg.model();
        ParamCount count = ParamCount.of(model);
        long routed = ParamCount.routedExpertsPerLayer(model) * model.nLayers();
        long planned = cfg.trainer().steps();
        List<Map<String, Double>> late = metrics.stream().filter(r -> r.get(MetricsLog.STEP) > planned / 2.0).toList();
        if (late.isEmpty()) late = metrics;
        double active = mean(late, "active_params");
        int groups = model.ffn() == ModelConfig.FfnType.MOHGE ? model.mohge().groups() : 0;
        double[] shares = new double[groups];
        for (int g = 0; g < groups; g++) shares[g] = mean(late, Plots.GROUP_SHARE_PREFIX + g);
        double tokensPerSecond = metrics.size() < 2 ? mean(metrics, "tokens_per_s")
                : mean(metrics.subList(1, metrics.size()), "tokens_per_s");
        long done = metrics.isEmpty() ? 0 : Math.round(metrics.get(metrics.size() - 1).get(MetricsLog.STEP));
        return new AblationResult(job.run().name(), job.seed(), model.ffn(),
                PlacementStrategy.nameOf(cfg.allocation().strategy()), count.totalParams(), routed,
                Double.isNaN(active) ? count.activeParams() : active, last(metrics, "val_loss"), tokensPerSecond,
                shares, mean(late, "imbalance"), mean(late, "imbalance_contiguous"), done, planned);
    }

    private static double mean(List<Map<String, Double>> rows, String column) {
        return rows.stream().map(r -> r.get(column)).filter(v -> v != null && Double.isFinite(v))
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
