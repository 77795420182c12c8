package io.mohge.ablate;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The second table of an ablation's results.md: how often each routed run switches experts between consecutive
 * tokens and what that costs an expert cache when serving (docs/temporal.md), from the last evaluation of each run.
 */
final class RoutingTable {

    private static final String LOADS = "val_loads_per_token.";
    private static final String BYTES = "val_bytes_per_token.";

    private RoutingTable() { }

    static String markdown(List<AblationResult> rows) {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (AblationResult r : rows) {
            for (String k : r.routing().keySet()) {
                if (k.startsWith(LOADS)) sizes.add(Integer.parseInt(k.substring(LOADS.length())));
            }
        }
        StringBuilder sb = new StringBuilder("\n## Switching and expert cache\n\n");
        sb.append("| run | val loss | top-1 switch rate | per layer | expert-set switch rate | per layer | switch decisions |");
        for (int m : sizes) sb.append(" expert loads/token, M=").append(m).append(" |");
        for (int m : sizes) sb.append(" MB moved/token, M=").append(m).append(" |");
        sb.append("\n|---|---:|---:|---|---:|---|---:|").append("---:|".repeat(2 * sizes.size())).append('\n');
        for (AblationResult r : rows) {
            Map<String, Double> g = r.routing();
            if (g.isEmpty()) continue;
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %s | %s | %s | %s | %s |", r.label(), r.valLoss(),
                    fmt(g.get("val_switch_rate")), perLayer(g, "val_switch_rate."),
                    fmt(g.get("val_set_switch_rate")), perLayer(g, "val_set_switch_rate."),
                    fmt(g.get("val_decision_rate"))));
            for (int m : sizes) sb.append(' ').append(fmt(g.get(LOADS + m))).append(" |");
            for (int m : sizes) {
                Double b = g.get(BYTES + m);
                sb.append(' ').append(b == null ? "-" : String.format(Locale.ROOT, "%.3f", b / 1e6)).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nOn the validation batches under greedy switch decisions. Switch rates are over consecutive tokens of "
                + "a sequence, averaged over layers (per layer: layer 0 / layer 1 / ...). Top-1: the highest-gated expert "
                + "changes; expert set: the set of selected experts changes. Switch decisions: share of tokens whose "
                + "controller chose to re-route (runs with a controller). Expert cache: each layer keeps M experts "
                + "resident (LRU) while the validation tokens stream through; a load moves one expert's fp32 weights.\n");
        return sb.toString();
    }

    private static String perLayer(Map<String, Double> g, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; g.containsKey(prefix + i); i++) sb.append(i == 0 ? "" : " / ").append(fmt(g.get(prefix + i)));
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static String fmt(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
}
