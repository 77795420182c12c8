package io.mohge.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {

    @TempDir
    Path dir;

    @Test
    void drawsLossAuxAndGroupShareCharts() throws IOException {
        List<String> cols = List.of("step", "loss", "lm_loss", "val_loss", "group_aux", "intra_aux",
                "group_share.0", "group_share.1", "tokens_per_s");
        try (MetricsLog log = MetricsLog.open(dir, cols, -1)) {
            for (int s = 1; s <= 30; s++) {
                Map<String, Double> r = new LinkedHashMap<>();
                r.put("step", (double) s);
                r.put("loss", 5.0 / s + 0.01);
                r.put("lm_loss", 5.0 / s);
                if (s % 10 == 0) r.put("val_loss", 5.2 / s);
                r.put("group_aux", 1e-5);
                r.put("intra_aux", 3e-3);
                r.put("group_share.0", 0.5 + s / 100.0);
                r.put("group_share.1", 0.5 - s / 100.0);
                r.put("tokens_per_s", 1000.0);
                log.append(r);
            }
        }
        List<Path> pngs = Plots.fromMetrics(dir.resolve(MetricsLog.CSV), dir.resolve("plots"));
        assertEquals(List.of("losses.png", "aux_losses.png", "group_share.png"),
                pngs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(900, img.getWidth());
            assertEquals(500, img.getHeight());
            assertTrue(distinctColours(img) > 5, p + " looks blank");
        }
    }

    @Test
    void emptyMetricsAreAnError() throws IOException {
        MetricsLog.open(dir, List.of("step", "loss"), -1).close();
        var e = assertThrows(IllegalArgumentException.class,
                () -> Plots.fromMetrics(dir.resolve(MetricsLog.CSV), dir));
        assertTrue(e.getMessage().contains(MetricsLog.CSV));
    }

    @Test
    void seriesLengthMustMatch() {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("a", new double[]{1, 2});
        assertThrows(IllegalArgumentException.class,
                () -> Plots.lines(dir.resolve("x.png"), "t", "x", "y", new double[]{1, 2, 3}, series));
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        List<Integer> sample = new ArrayList<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) sample.add(img.getRGB(x, y));
        }
        colours.addAll(sample);
        return colours.size();
    }
}
