package io.mohge.train;

import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden-loss regression: the first 50 steps of the main job ({@code configs/mohge-tiny.yaml}, its seed, the
 * built-in corpus, the learning-rate schedule of the full 400 steps) must reproduce the committed trace
 * {@code golden/mohge-tiny-50.csv}. Any change to the model's or the losses' maths, the initialisation, the data
 * order or the optimizer moves these numbers.
 *
 * <p>The tolerance (1e-4 relative on the losses, 1e-3 on the gradient norm and the balance loss) covers float32
 * summation-order differences between CPUs (SIMD width, BLAS kernels); on one machine the trace is reproduced bit
 * for bit. When a change to the maths is intended, regenerate the trace with
 * {@code mvn -pl trainer -am test -Dtest=GoldenLossTest -Dgolden.update=true} and say why in the commit.
 */
class GoldenLossTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/mohge-tiny-50.csv");
    private static final List<String> COLUMNS = List.of("loss", "lm_loss", "intra_aux", "grad_norm");
    private static final int STEPS = 50;

    @TempDir
    Path dir;

    @Test
    void theFirstFiftyStepsOfTheMainJobMatchTheCommittedTrace() throws IOException {
        RunConfig cfg = ConfigLoader.load(Path.of("../configs/mohge-tiny.yaml"), List.of(), List.of(
                "run.out_dir=" + dir.resolve("run"), "data.dir=" + dir.resolve("data"), "trainer.log_every=1",
                "export.on_finish=false"));
        Trainer.run(cfg, new Trainer.Options(false, false, STEPS));
        List<Map<String, Double>> rows = MetricsLog.readCsv(dir.resolve("run").resolve(MetricsLog.CSV));
        assertEquals(STEPS, rows.size(), "one metrics row per step");

        if (Boolean.getBoolean("golden.update")) {
            StringBuilder sb = new StringBuilder("step," + String.join(",", COLUMNS) + "\n");
            for (Map<String, Double> r : rows) {
                sb.append(Math.round(r.get(MetricsLog.STEP)));
                for (String c : COLUMNS) sb.append(',').append(String.format(Locale.ROOT, "%.9g", r.get(c)));
                sb.append('\n');
            }
            Files.writeString(GOLDEN, sb.toString(), StandardCharsets.UTF_8);
        }
        List<Map<String, Double>> golden = MetricsLog.readCsv(GOLDEN);
        assertEquals(STEPS, golden.size(), GOLDEN + " must hold one row per step");
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            for (String c : COLUMNS) {
                double want = golden.get(i).get(c);
                double got = rows.get(i).get(c);
                double tol = (c.endsWith("loss") ? 1e-4 : 1e-3) * Math.max(1e-3, Math.abs(want));
                if (!(Math.abs(got - want) <= tol)) {
                    diffs.add(String.format(Locale.ROOT, "step %d %s: golden %.9g, now %.9g", i + 1, c, want, got));
                }
            }
        }
        assertTrue(diffs.isEmpty(), diffs.size() + " values differ from " + GOLDEN + ", first: "
                + diffs.subList(0, Math.min(5, diffs.size())));
        // the trace is a training run, not a constant: the loss must fall
        assertTrue(golden.get(STEPS - 1).get("loss") < golden.get(0).get("loss") - 1.0);
    }
}
