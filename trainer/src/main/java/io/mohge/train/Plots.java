package io.mohge.train;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PNG line charts of a run's metrics (JFreeChart, rendered headless): losses over steps and the share of
 * routed tokens per expert group over steps. Rows come from {@link MetricsLog#readCsv}, so the plots of a
 * resumed run cover the whole run.
 */
public final class Plots {

    /** Column names charted as main losses. */
    public static final List<String> MAIN_LOSSES = List.of("loss", "lm_loss", "val_loss");
    /** Columns holding auxiliary loss terms. */
    public static final List<String> AUX_LOSSES = List.of("group_aux", "intra_aux", "switch_aux", "z_loss");
    /** Prefix of the per-group token share columns ({@code group_share.0}, {@code group_share.1}, ...). */
    public static final String GROUP_SHARE_PREFIX = "group_share.";

    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private Plots() { }

    /**
     * Writes {@code losses.png}, {@code aux_losses.png} (when any auxiliary term is logged) and
     * {@code group_share.png} (when group shares are logged) into {@code outDir}.
     *
     * @return the files written
     */
    public static List<Path> fromMetrics(Path metricsCsv, Path outDir) throws IOException {
        List<Map<String, Double>> rows = MetricsLog.readCsv(metricsCsv);
        if (rows.isEmpty()) throw new IllegalArgumentException("metrics file " + metricsCsv + " has no rows to plot");
        List<String> columns = new ArrayList<>(rows.get(0).keySet());
        for (Map<String, Double> r : rows) for (String k : r.keySet()) if (!columns.contains(k)) columns.add(k);
        List<Path> written = new ArrayList<>();
        Files.createDirectories(outDir);
        List<String> main = columns.stream().filter(MAIN_LOSSES::contains).toList();
        if (!main.isEmpty()) {
            written.add(chart(outDir.resolve("losses.png"), "Loss", "loss", rows, main));
        }
        List<String> aux = columns.stream().filter(AUX_LOSSES::contains).toList();
        if (!aux.isEmpty()) {
            written.add(chart(outDir.resolve("aux_losses.png"), "Auxiliary losses (sum over layers)", "loss", rows, aux));
        }
        List<String> shares = columns.stream().filter(c -> c.startsWith(GROUP_SHARE_PREFIX)).toList();
        if (!shares.isEmpty()) {
            written.add(chart(outDir.resolve("group_share.png"), "Share of routed tokens per expert group",
                    "share", rows, shares));
        }
        return written;
    }

    private static Path chart(Path png, String title, String yLabel, List<Map<String, Double>> rows, List<String> cols)
            throws IOException {
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] x = rows.stream().mapToDouble(r -> r.get(MetricsLog.STEP)).toArray();
        for (String c : cols) {
            series.put(c, rows.stream().mapToDouble(r -> r.getOrDefault(c, Double.NaN)).toArray());
        }
        lines(png, title, "step", yLabel, x, series);
        return png;
    }

    /** One PNG with a line per series over {@code x}; NaN points are left out. */
    public static void lines(Path png, String title, String xLabel, String yLabel, double[] x,
                             Map<String, double[]> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] y = e.getValue();
            if (y.length != x.length) {
                throw new IllegalArgumentException("series " + e.getKey() + " has " + y.length + " points but x has " + x.length);
            }
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(y[i])) s.add(x[i], y[i]);
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * One PNG with a line per series over {@code x} and a shaded band around it: {@code series} maps a name to
     * three arrays, the line and the band's lower and upper edges. NaN points are left out.
     */
    public static void bands(Path png, String title, String xLabel, String yLabel, double[] x,
                             Map<String, double[][]> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            double[][] v = e.getValue();
            if (v.length != 3 || v[0].length != x.length || v[1].length != x.length || v[2].length != x.length) {
                throw new IllegalArgumentException("series " + e.getKey() + " needs line, low and high of " + x.length
                        + " points each");
            }
            YIntervalSeries s = new YIntervalSeries(e.getKey(), false, true);
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(v[0][i])) {
                    s.add(x[i], v[0][i], Double.isFinite(v[1][i]) ? v[1][i] : v[0][i],
                            Double.isFinite(v[2][i]) ? v[2][i] : v[0][i]);
                }
            }
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        DeviationRenderer renderer = new DeviationRenderer(true, false);
        renderer.setAlpha(0.25f);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesFillPaint(i, chart.getXYPlot().getRenderer().getItemPaint(i, 0));
        }
        chart.getXYPlot().setRenderer(renderer);
        // losses of compared runs differ by hundredths: an axis from zero would flatten them into one line
        ((NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(false);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
