package io.mohge.spark;

import io.mohge.bench.DistributedBench;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.config.DistributedConfig.Aggregation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scale-out bench on embedded Spark: every case is measured, and the byte counts are those of the gradients. */
class ScaleOutBenchTest {

    @TempDir
    Path dir;

    private RunConfig config(List<String> extra) {
        List<String> sets = new ArrayList<>(List.of("data.corpus=" + dir.resolve("corpus.txt"),
                "data.dir=" + dir.resolve("data"), "data.shard_tokens=4096", "run.out_dir=" + dir.resolve("run")));
        sets.addAll(extra);
        return ConfigLoader.load(Path.of("..", "..", "configs", "mohge-tiny.yaml"), List.of(), sets);
    }

    @Test
    void measuresEveryCaseAndCountsTheGradientBytesEachAggregationMoves() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 800; i++) text.append("worker ").append(i % 7).append(" sums block ").append(i).append('\n');
        Files.writeString(dir.resolve("corpus.txt"), text);
        DistributedBench.Size tiny = new DistributedBench.Size("tiny",
                List.of("model.d_model=32", "model.n_heads=2", "model.mohge.widths=[16,24,32,40]"));
        DistributedBench.Options o = new DistributedBench.Options(List.of(tiny), List.of(1, 2),
                List.of(Aggregation.TREE, Aggregation.SHARDED), 1, 2, 2, 16);
        List<String> log = new ArrayList<>();
        List<DistributedBench.Figure> figures = ScaleOutBench.run(this::config, o, log::add);

        assertEquals(4, figures.size());
        long p = figures.get(0).parameters();
        long gradient = 4 * p; // one float per parameter
        int i = 0;
        for (int w : List.of(1, 2)) {
            for (Aggregation agg : List.of(Aggregation.TREE, Aggregation.SHARDED)) {
                DistributedBench.Figure f = figures.get(i++);
                String what = w + " workers, " + agg + ": " + f;
                assertEquals(w, f.workers(), what);
                assertEquals(agg, f.aggregation(), what);
                assertEquals(p, f.parameters(), what);
                assertEquals((long) w * 2 * 16, f.tokensPerStep(), what);
                assertEquals(0, f.broadcastBytes(), "one JVM: nothing is transferred; " + what);
                assertTrue(f.stepMs() >= f.computeMs() + f.updateMs() && f.computeMs() > 0 && f.updateMs() > 0, what);
                if (agg == Aggregation.TREE) {
                    // every worker's whole gradient reaches the driver, no shuffle
                    assertBetween(w * gradient, f.resultBytes(), what);
                    assertEquals(0, f.shuffleBytes(), what);
                } else {
                    // every worker's gradient goes through the shuffle; the driver gets one summed gradient
                    assertBetween(w * gradient, f.shuffleBytes(), what);
                    assertBetween(gradient, f.resultBytes(), what);
                }
            }
        }
        String table = DistributedBench.table(figures);
        assertEquals(2 + 4 + 1, table.lines().count(), table);
        assertTrue(table.contains("| tiny (" + String.format("%,d", p) + ") | 2 | sharded |"), table);
        assertEquals(4, log.stream().filter(l -> l.startsWith("| tiny")).count(), "a row per case as it is measured: " + log);
    }

    /** At least the gradient's bytes, and at most 5% + 16 KB more (losses, routing counts, serialisation headers). */
    private static void assertBetween(long gradientBytes, long measured, String what) {
        assertTrue(measured >= gradientBytes && measured <= gradientBytes * 1.05 + 16_384,
                "expected about " + gradientBytes + " bytes, measured " + measured + "; " + what);
    }
}
