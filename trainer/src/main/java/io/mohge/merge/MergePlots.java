package io.mohge.merge;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The merge's charts (JFreeChart, like {@link io.mohge.train.Plots}), with axes fitted to the data, not to 0. */
public final class MergePlots {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private MergePlots() { }

    /** Candidate loss and best-so-far per evaluation of a search. */
    public static void searchCurve(WeightSearch.Result r, String title, Path png) throws IOException {
        XYSeries loss = new XYSeries("candidate held-out loss", false, true);
        XYSeries best = new XYSeries("best so far", false, true);
        for (WeightSearch.Evaluation e : r.trace()) {
            loss.add(e.round(), e.loss());
            best.add(e.round(), e.bestSoFar());
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(loss);
        data.addSeries(best);
        save(chart(title, "evaluation", "held-out loss (nats/token)", data), png);
    }

    /** One line per series through its (x, y) points in the given order, with markers. */
    public static void points(String title, String xLabel, String yLabel, Map<String, List<double[]>> series, Path png)
            throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (double[] p : e.getValue()) s.add(p[0], p[1]);
            data.addSeries(s);
        }
        save(chart(title, xLabel, yLabel, data), png);
    }

    private static JFreeChart chart(String title, String xLabel, String yLabel, XYSeriesCollection data) {
        System.setProperty("java.awt.headless", "true");
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        return chart;
    }

    private static void save(JFreeChart chart, Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
}
