package io.mohge.ablate;

import io.mohge.model.ModelConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The results of an ablation set over its seeds: {@code results.md} (mean ± sd per run, differences to the
 * reference run judged against two standard errors) and {@code results.csv} (one row per job).
 */
final class AblationTable {

    private AblationTable() { }

    /** Mean, sample standard deviation and count of one figure over a run's seeds; NaN values are left out. */
    record Stat(double mean, double sd, int n) {
        static Stat of(List<AblationResult> rows, ToDoubleFunction<AblationResult> figure) {
            return of(rows.stream().mapToDouble(figure).toArray());
        }

        static Stat of(double[] values) {
            double[] v = java.util.Arrays.stream(values).filter(Double::isFinite).toArray();
            if (v.length == 0) return new Stat(Double.NaN, Double.NaN, 0);
            double mean = 0;
            for (double x : v) mean += x / v.length;
            double ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            return new Stat(mean, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : Double.NaN, v.length);
        }

        double standardError() {
            return sd / Math.sqrt(n);
        }

        String format(String number) {
            if (n == 0) return "-";
            String m = String.format(Locale.ROOT, number, mean);
            return n > 1 ? m + " ± " + String.format(Locale.ROOT, number, sd) : m;
        }
    }

    /**
     * The difference of two runs' means, with its standard error sqrt(se_a^2 + se_b^2). It is "within noise" when
     * smaller than two standard errors; with one seed on either side there is no error estimate.
     */
    static String difference(Stat run, Stat reference, String number) {
        if (run.n() == 0 || reference.n() == 0) return "-";
        double d = run.mean() - reference.mean();
        String text = String.format(Locale.ROOT, "%+" + number.substring(1), d);
        if (run.n() < 2 || reference.n() < 2) return text + " (one seed: no error estimate)";
        double se = Math.sqrt(run.standardError() * run.standardError()
                + reference.standardError() * reference.standardError());
        String seText = String.format(Locale.ROOT, " ± " + number, se);
        return Math.abs(d) < 2 * se ? text + seText + " (within noise)" : text + seText;
    }

    /** Rows grouped by run name, in the set's order. */
    static Map<String, List<AblationResult>> byRun(List<AblationResult> rows) {
        Map<String, List<AblationResult>> runs = new LinkedHashMap<>();
        for (AblationResult r : rows) runs.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
        return runs;
    }

    static String markdown(AblationSet set, List<AblationResult> rows) {
        Map<String, List<AblationResult>> runs = byRun(rows);
        List<AblationResult> ref = runs.getOrDefault(set.reference(), List.of());
        Stat refLoss = Stat.of(ref, AblationResult::valLoss);
        Stat refActive = Stat.of(ref, AblationResult::activeParams);
        AblationResult moe = rows.stream().filter(r -> r.ffn() == ModelConfig.FfnType.MOE).findFirst().orElse(null);
        StringBuilder sb = new StringBuilder();
        sb.append("# Ablation ").append(shown(set.file())).append("\n\n");
        sb.append("Base config `").append(set.base()).append("`, shared settings ").append(set.shared()).append(".\n");
        sb.append(set.seeds().isEmpty() ? "One seed (the base config's).\n"
                : "Seeds " + set.seeds() + "; figures are mean ± sample sd over the seeds.\n");
        sb.append("Differences are to the reference run `").append(set.reference()).append("`, ± their standard error; "
                + "a difference smaller than two standard errors is marked \"within noise\".\n\n");
        sb.append("| run | FFN | seeds | total params | routed expert params | routed saved vs MoE "
                + "| active params/token | Δ active vs ref | val loss | Δ val loss vs ref | tokens/s |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---|---:|---|---:|\n");
        for (Map.Entry<String, List<AblationResult>> e : runs.entrySet()) {
            List<AblationResult> rs = e.getValue();
            AblationResult first = rs.get(0);
            String saved = moe == null || first.routedParams() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.1f%%", 100.0 * (1 - (double) first.routedParams() / moe.routedParams()));
            Stat active = Stat.of(rs, AblationResult::activeParams);
            Stat loss = Stat.of(rs, AblationResult::valLoss);
            boolean isRef = e.getKey().equals(set.reference());
            long incomplete = rs.stream().filter(r -> !r.complete()).count();
            sb.append(String.format(Locale.ROOT, "| %s%s | %s | %d | %,d | %,d | %s | %s | %s | %s | %s | %s |%n",
                    e.getKey(), incomplete == 0 ? "" : " (" + incomplete + " incomplete)",
                    first.ffn().name().toLowerCase(Locale.ROOT), rs.size(), first.totalParams(), first.routedParams(),
                    saved, active.format("%,.0f"), isRef ? "ref" : difference(active, refActive, "%,.0f"),
                    loss.format("%.4f"), isRef ? "ref" : difference(loss, refLoss, "%.4f"),
                    Stat.of(rs, AblationResult::tokensPerSecond).format("%,.0f")));
        }
        routing(sb, runs);
        if (rows.stream().anyMatch(r -> !r.routing().isEmpty())) sb.append(RoutingTable.markdown(rows));
        return sb.toString();
    }

    /** Group token shares and per-GPU imbalance of the routed runs. */
    private static void routing(StringBuilder sb, Map<String, List<AblationResult>> runs) {
        sb.append("\nRouting, second half of training (mean ± sd over seeds). Group shares are the share of routed "
                + "(token, expert) assignments per group, narrowest group first. Imbalance is the max over ranks of "
                + "routed tokens x expert width divided by its mean (1.0 is perfect), for allocation.ranks ranks.\n\n");
        sb.append("| run | group token share (g0 narrowest) | imbalance (placement) | imbalance (contiguous) |\n");
        sb.append("|---|---|---:|---:|\n");
        for (Map.Entry<String, List<AblationResult>> e : runs.entrySet()) {
            List<AblationResult> rs = e.getValue();
            if (rs.get(0).ffn() == ModelConfig.FfnType.DENSE) continue;
            int groups = rs.get(0).groupShares().length;
            List<String> shares = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                int gg = g;
                shares.add(Stat.of(rs, r -> r.groupShares().length > gg ? r.groupShares()[gg] : Double.NaN).format("%.3f"));
            }
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s (%s) | %s |%n", e.getKey(),
                    groups == 0 ? "-" : String.join(", ", shares),
                    Stat.of(rs, AblationResult::imbalance).format("%.3f"), rs.get(0).strategy(),
                    Stat.of(rs, AblationResult::imbalanceContiguous).format("%.3f")));
        }
    }

    /** One row per job, every figure, for further analysis. */
    static String csv(List<AblationResult> rows) {
        int maxGroups = rows.stream().mapToInt(r -> r.groupShares().length).max().orElse(0);
        StringBuilder sb = new StringBuilder("run,seed,ffn,strategy,total_params,routed_params,active_params,val_loss,"
                + "tokens_per_s,imbalance,imbalance_contiguous,steps_done,steps_planned");
        for (int g = 0; g < maxGroups; g++) sb.append(",group_share.").append(g);
        sb.append('\n');
        for (AblationResult r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%d,%.1f,%.6f,%.1f,%.6f,%.6f,%d,%d", r.name(),
                    r.seed() == null ? "" : r.seed(), r.ffn().name().toLowerCase(Locale.ROOT), r.strategy(),
                    r.totalParams(), r.routedParams(), r.activeParams(), r.valLoss(), r.tokensPerSecond(),
                    r.imbalance(), r.imbalanceContiguous(), r.stepsDone(), r.stepsPlanned()));
            for (int g = 0; g < maxGroups; g++) {
                sb.append(',').append(g < r.groupShares().length
                        ? String.format(Locale.ROOT, "%.6f", r.groupShares()[g]) : "");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The set's file relative to the working directory when it lies below it, so a results file names no machine's paths. */
    private static Path shown(Path file) {
        Path here = Path.of("").toAbsolutePath();
        Path abs = file.toAbsolutePath().normalize();
        return abs.startsWith(here) ? here.relativize(abs) : file;
    }
}
