package io.mohge.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Plain-text rendering of balance reports for the {@code mohge allocate} CLI: a summary of the imbalance
 * figures per strategy, then one per-rank table per strategy, each under a header line.
 */
public final class BalanceTable {

    private BalanceTable() { }

    /** Side-by-side comparison of all strategies. */
    public static String render(StrategyComparison c) {
        StringBuilder sb = new StringBuilder();
        header(sb, c.layout(), c.ranks(), c.load(), c.hiddenSize());
        List<String[]> summary = new ArrayList<>();
        summary.add(new String[] {"strategy", "compute max/mean", "params max/mean", "tokens max/mean"});
        for (StrategyComparison.Entry e : c.entries()) {
            String name = PlacementStrategy.nameOf(e.strategy());
            if (e.available()) {
                BalanceReport r = e.report();
                summary.add(new String[] {name, ratio(r.computeImbalance()), ratio(r.paramImbalance()),
                        ratio(r.tokenImbalance())});
            } else {
                summary.add(new String[] {name, "n/a", "n/a", "n/a"});
            }
        }
        sb.append('\n').append(align(summary, true));
        for (StrategyComparison.Entry e : c.entries()) {
            sb.append('\n');
            if (e.available()) {
                perRank(sb, e.report());
            } else {
                sb.append("== ").append(PlacementStrategy.nameOf(e.strategy())).append(": not available: ")
                        .append(e.unavailable()).append('\n');
            }
        }
        return sb.toString();
    }

    /** A single placement's report. */
    public static String render(BalanceReport report) {
        StringBuilder sb = new StringBuilder();
        Placement p = report.placement();
        header(sb, p.layout(), p.ranks(), report.load(), report.hiddenSize());
        sb.append('\n');
        perRank(sb, report);
        return sb.toString();
    }

    private static void header(StringBuilder sb, ExpertLayout layout, int ranks, ExpertLoad load, int hidden) {
        sb.append("Routed experts: ").append(layout.groups()).append(" groups x ").append(layout.expertsPerGroup())
                .append(" experts = ").append(layout.experts()).append(", widths ").append(layout.widths())
                .append("; ").append(ranks).append(" ranks x ").append(layout.experts() / ranks).append(" experts\n");
        sb.append("Load: ").append(load.source()).append("; ").append(count(load.total()))
                .append(" token-expert assignments\n");
        sb.append(hidden > 0 ? "Params: 3 x h x width sum with h = " + hidden + "\n"
                : "Params: not shown (no hidden size given); width sums are proportional to them\n");
    }

    private static void perRank(StringBuilder sb, BalanceReport r) {
        sb.append("== ").append(r.placement().strategyName()).append(": compute max/mean ")
                .append(ratio(r.computeImbalance())).append(", params max/mean ").append(ratio(r.paramImbalance()))
                .append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(r.hasParams()
                ? new String[] {"rank", "experts", "width sum", "params", "tokens", "tokens x width", "compute/mean"}
                : new String[] {"rank", "experts", "width sum", "tokens", "tokens x width", "compute/mean"});
        for (int k = 0; k < r.ranks(); k++) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(k),
                    String.valueOf(r.placement().expertsPerRank()), count(r.widthSum(k))));
            if (r.hasParams()) row.add(count(r.params(k)));
            row.add(count(r.tokens(k)));
            row.add(count(r.compute(k)));
            row.add(ratio(r.computeRelative(k)));
            rows.add(row.toArray(new String[0]));
        }
        sb.append(align(rows, false));
    }

    /** Columns two spaces apart, right-aligned except a left-aligned first column if {@code labels}. */
    private static String align(List<String[]> rows, boolean labels) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], row[c].length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) line.append("  ");
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c == 0 && labels ? row[c] + pad : pad + row[c]);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String ratio(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    private static String count(long v) { return String.format(Locale.ROOT, "%,d", v); }
}
