package io.mohge.train;

import io.mohge.config.BadInputException;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training metrics, one row per log interval, written twice: {@code metrics.csv} (header line, then one line
 * per row in a fixed column order) and {@code metrics.jsonl} (one JSON object per row, same keys and order).
 * The first column is always {@code step}. Missing values are empty in CSV and null in JSON; non-finite
 * values are written as NaN/Infinity in CSV and null in JSON (JSON has no NaN). Every row is flushed.
 *
 * <p>On a resume, {@link #open} keeps the rows up to the checkpoint step and drops later ones (they belong
 * to the interrupted part and will be logged again), so the files never hold a step twice. Both files are
 * rewritten from the kept CSV rows, so a row torn by a crash (in either file) is gone after the resume.
 */
public final class MetricsLog implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);

    public static final String CSV = "metrics.csv";
    public static final String JSONL = "metrics.jsonl";
    public static final String STEP = "step";

    private final List<String> columns;
    private final BufferedWriter csv;
    private final BufferedWriter jsonl;
    private final Gson gson = new GsonBuilder().serializeNulls().create();

    private MetricsLog(List<String> columns, BufferedWriter csv, BufferedWriter jsonl) {
        this.columns = columns;
        this.csv = csv;
        this.jsonl = jsonl;
    }

    /**
     * Opens the log in {@code dir}.
     *
     * @param columns      column names, {@code step} first; fixed for the life of the run
     * @param keepUpToStep rows with step <= this are kept from an existing log (a resume); pass -1 to start
     *                     empty
     */
    public static MetricsLog open(Path dir, List<String> columns, long keepUpToStep) throws IOException {
        if (columns.isEmpty() || !columns.get(0).equals(STEP)) {
            throw new IllegalArgumentException("metrics columns must start with 'step', got " + columns);
        }
        if (columns.stream().distinct().count() != columns.size()) {
            throw new IllegalArgumentException("metrics columns contain duplicates: " + columns);
        }
        Files.createDirectories(dir);
        Path csvPath = dir.resolve(CSV);
        List<Map<String, Double>> kept = new ArrayList<>();
        if (keepUpToStep >= 0 && Files.exists(csvPath)) {
            List<String> existing = header(csvPath);
            if (!existing.equals(columns)) {
                throw new BadInputException("metrics file " + csvPath + " has columns " + existing
                        + " but this run logs " + columns + "; resume with the same config or use a new run.out_dir");
            }
            for (Map<String, Double> row : readCsv(csvPath)) {
                if (row.get(STEP) <= keepUpToStep) kept.add(row);
            }
        }
        BufferedWriter csv = Files.newBufferedWriter(csvPath, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        BufferedWriter jsonl = Files.newBufferedWriter(dir.resolve(JSONL), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        csv.write(String.join(",", columns));
        csv.newLine();
        MetricsLog log = new MetricsLog(List.copyOf(columns), csv, jsonl);
        for (Map<String, Double> row : kept) log.append(row);
        return log;
    }

    public List<String> columns() {
        return columns;
    }

    /** Appends one row; keys must be among the columns and {@code step} must be present. */
    public void append(Map<String, Double> row) throws IOException {
        for (String k : row.keySet()) {
            if (!columns.contains(k)) throw new IllegalArgumentException("metric '" + k + "' is not a column of " + columns);
        }
        if (row.get(STEP) == null) throw new IllegalArgumentException("metrics row lacks 'step': " + row);
        StringBuilder line = new StringBuilder();
        JsonObject json = new JsonObject();
        for (int i = 0; i < columns.size(); i++) {
            String c = columns.get(i);
            Double v = row.get(c);
            if (i > 0) line.append(',');
            if (v != null) line.append(format(v));
            if (v == null || !Double.isFinite(v)) {
                json.add(c, JsonNull.INSTANCE);
            } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                json.addProperty(c, (long) (double) v);
            } else {
                json.addProperty(c, v);
            }
        }
        csv.write(line.toString());
        csv.newLine();
        csv.flush();
        jsonl.write(gson.toJson(json));
        jsonl.newLine();
        jsonl.flush();
    }

    /** Shortest text that reads back to the same double; whole numbers without ".0". */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    /**
     * Reads a metrics CSV back: one map per row (in column order), empty cells absent. A last line without its line
     * break is a row torn by a crash while it was written: it is skipped with a warning (a resume logs it again).
     */
    public static List<Map<String, Double>> readCsv(Path csvPath) throws IOException {
        String text = Files.readString(csvPath, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\\R", -1)));
        String last = lines.remove(lines.size() - 1); // "" when the file ends with a line break
        if (!last.isEmpty()) {
            if (lines.isEmpty()) throw new BadInputException("metrics file " + csvPath + " has a torn header line");
            LOG.warn("metrics file {}: ignoring the torn last line {} ('{}'), cut off by an interrupted write",
                    csvPath, lines.size() + 1, last);
        }
        if (lines.isEmpty()) throw new BadInputException("metrics file " + csvPath + " is empty (no header)");
        List<String> cols = List.of(lines.get(0).split(",", -1));
        List<Map<String, Double>> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) continue;
            String[] cells = lines.get(i).split(",", -1);
            if (cells.length != cols.size()) {
                throw new BadInputException("metrics file " + csvPath + " line " + (i + 1) + " has "
                        + cells.length + " cells but the header has " + cols.size());
            }
            Map<String, Double> row = new LinkedHashMap<>();
            for (int j = 0; j < cells.length; j++) {
                if (cells[j].isEmpty()) continue;
                try {
                    row.put(cols.get(j), Double.parseDouble(cells[j]));
                } catch (NumberFormatException e) {
                    throw new BadInputException("metrics file " + csvPath + " line " + (i + 1) + " column "
                            + cols.get(j) + ": '" + cells[j] + "' is not a number");
                }
            }
            rows.add(Collections.unmodifiableMap(row));
        }
        return rows;
    }

    private static List<String> header(Path csvPath) throws IOException {
        try (var r = Files.newBufferedReader(csvPath, StandardCharsets.UTF_8)) {
            String h = r.readLine();
            return h == null ? List.of() : List.of(h.split(",", -1));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            csv.close();
        } finally {
            jsonl.close();
        }
    }
}
