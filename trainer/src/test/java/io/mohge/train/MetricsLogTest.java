package io.mohge.train;

import io.mohge.config.BadInputException;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsLogTest {

    @TempDir
    Path dir;

    private static final List<String> COLS = List.of("step", "loss", "lr", "val_loss");

    private static Map<String, Double> row(double step, double loss, double lr) {
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("lr", lr); // insertion order differs from the column order on purpose
        r.put("step", step);
        r.put("loss", loss);
        return r;
    }

    @Test
    void writesCsvAndJsonlInColumnOrder() throws IOException {
        try (MetricsLog log = MetricsLog.open(dir, COLS, -1)) {
            log.append(row(10, 5.25, 3e-4));
            Map<String, Double> r = row(20, Double.NaN, 1e-4);
            r.put("val_loss", 4.5);
            log.append(r);
        }
        assertEquals(List.of("step,loss,lr,val_loss", "10,5.25,3.0E-4,", "20,NaN,1.0E-4,4.5"),
                Files.readAllLines(dir.resolve(MetricsLog.CSV)));
        List<String> json = Files.readAllLines(dir.resolve(MetricsLog.JSONL));
        assertEquals(2, json.size());
        assertEquals("{\"step\":10,\"loss\":5.25,\"lr\":3.0E-4,\"val_loss\":null}", json.get(0));
        JsonObject second = JsonParser.parseString(json.get(1)).getAsJsonObject();
        assertTrue(second.get("loss").isJsonNull());
        assertEquals(4.5, second.get("val_loss").getAsDouble());
        List<Map<String, Double>> back = MetricsLog.readCsv(dir.resolve(MetricsLog.CSV));
        assertEquals(3e-4, back.get(0).get("lr"));
        assertTrue(Double.isNaN(back.get(1).get("loss")));
    }

    @Test
    void resumeDropsRowsAfterTheCheckpoint() throws IOException {
        try (MetricsLog log = MetricsLog.open(dir, COLS, -1)) {
            for (int s = 10; s <= 50; s += 10) log.append(row(s, s, 0.1));
        }
        try (MetricsLog log = MetricsLog.open(dir, COLS, 30)) {
            log.append(row(40, 400, 0.1));
        }
        List<Map<String, Double>> rows = MetricsLog.readCsv(dir.resolve(MetricsLog.CSV));
        assertEquals(List.of(10.0, 20.0, 30.0, 40.0), rows.stream().map(r -> r.get("step")).toList());
        assertEquals(400.0, rows.get(3).get("loss"));
        assertEquals(4, Files.readAllLines(dir.resolve(MetricsLog.JSONL)).size());
    }

    @Test
    void aRowTornByACrashIsDroppedAndResumeTruncatesBothFilesToTheCheckpoint() throws IOException {
        try (MetricsLog log = MetricsLog.open(dir, COLS, -1)) {
            for (int s = 1; s <= 13; s++) log.append(row(s, s, 0.1));
        }
        Path csv = dir.resolve(MetricsLog.CSV);
        Path jsonl = dir.resolve(MetricsLog.JSONL);
        Files.writeString(csv, "14,1.5", java.nio.file.StandardOpenOption.APPEND); // killed in the middle of a row
        Files.writeString(jsonl, "{\"step\":14,\"lo", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(13, MetricsLog.readCsv(csv).size(), "the torn row is skipped");
        try (MetricsLog log = MetricsLog.open(dir, COLS, 12)) { // resume from the checkpoint of step 12
            log.append(row(13, 130, 0.1));
        }
        List<Map<String, Double>> rows = MetricsLog.readCsv(csv);
        assertEquals(13, rows.size());
        assertEquals(130.0, rows.get(12).get("loss"));
        assertTrue(Files.readString(csv).endsWith("\n"));
        List<String> json = Files.readAllLines(jsonl);
        assertEquals(13, json.size());
        for (String line : json) JsonParser.parseString(line).getAsJsonObject();
        Files.writeString(csv, "step,loss,lr,val_loss\n1,2\n3,4,5,\n");
        var e = assertThrows(BadInputException.class, () -> MetricsLog.readCsv(csv));
        assertTrue(e.getMessage().contains("line 2 has 2 cells"), "only a torn last line is forgiven: " + e.getMessage());
    }

    @Test
    void rejectsUnknownColumnsAndChangedHeaders() throws IOException {
        try (MetricsLog log = MetricsLog.open(dir, COLS, -1)) {
            Map<String, Double> r = row(1, 1, 1);
            r.put("lose", 2.0);
            var e = assertThrows(IllegalArgumentException.class, () -> log.append(r));
            assertTrue(e.getMessage().contains("lose"), e.getMessage());
        }
        var e = assertThrows(BadInputException.class,
                () -> MetricsLog.open(dir, List.of("step", "loss"), 10));
        assertTrue(e.getMessage().contains(MetricsLog.CSV), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MetricsLog.open(dir, List.of("loss", "step"), -1));
    }
}
