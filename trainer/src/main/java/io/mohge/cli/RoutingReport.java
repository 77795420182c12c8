package io.mohge.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Prints an evaluation's switch rates and expert-cache figures ({@code val_*} metrics) as a few readable lines. */
final class RoutingReport {

    private RoutingReport() { }

    static void print(PrintWriter out, Map<String, Double> routing) {
        if (routing.isEmpty()) return;
        StringBuilder layers = new StringBuilder();
        for (int i = 0; routing.containsKey("val_switch_rate." + i); i++) {
            layers.append(String.format(Locale.ROOT, "%s layer %d %.3f / %.3f", i == 0 ? "" : ",", i,
                    routing.get("val_switch_rate." + i), routing.get("val_set_switch_rate." + i)));
        }
        out.printf(Locale.ROOT, "switch rate (greedy decisions): top-1 %.3f, expert set %.3f (top-1 / set:%s)%s%n",
                routing.get("val_switch_rate"), routing.get("val_set_switch_rate"), layers,
                routing.containsKey("val_decision_rate")
                        ? String.format(Locale.ROOT, "; controllers switch at %.3f of decisions", routing.get("val_decision_rate"))
                        : "");
        TreeSet<Integer> sizes = new TreeSet<>();
        for (String k : routing.keySet()) {
            if (k.startsWith("val_loads_per_token.")) sizes.add(Integer.parseInt(k.substring("val_loads_per_token.".length())));
        }
        for (int m : sizes) {
            out.printf(Locale.ROOT, "expert cache (LRU, %d experts resident per layer): %.4f expert loads/token, "
                    + "%.1f KB/token (fp32 weights)%n", m, routing.get("val_loads_per_token." + m),
                    routing.get("val_bytes_per_token." + m) / 1024);
        }
    }
}
