package io.mohge.allocation;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Tokens-per-expert statistics written by the trainer and read by the balance report:
 * <pre>
 * {"tokens_per_expert": [[...E counts for layer 0...], [...layer 1...], ...]}   summed over layers
 * {"tokens_per_expert": [...E counts...]}                                       a single (flat) list
 * </pre>
 * Counts are non-negative integers indexed by logical expert l = g*N + j.
 */
public final class LoadStats {

    static final String KEY = "tokens_per_expert";

    private LoadStats() { }

    /**
     * Reads {@code file} and sums its counts over layers.
     *
     * @param experts E, the number of counts every layer must have
     * @throws IllegalArgumentException whose message starts with the file name, for a missing file, bad JSON,
     *                                  wrong lengths or negative counts
     */
    public static ExpertLoad read(Path file, int experts) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": load statistics file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read load statistics " + file + ": " + e.getMessage(), e);
        }
        return parse(text, experts, file.toString());
    }

    /** As {@link #read} for JSON text; {@code sourceName} (e.g. the file name) starts every error message. */
    public static ExpertLoad parse(String json, int experts, String sourceName) {
        try {
            return parseUnnamed(json, experts, sourceName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(sourceName + ": " + e.getMessage(), e);
        }
    }

    private static ExpertLoad parseUnnamed(String json, int experts, String sourceName) {
        if (experts < 1) throw new IllegalArgumentException("experts: must be 1 or more, got " + experts);
        JsonArray list = Json.array(Json.required(Json.object(Json.parse(json)), KEY), KEY);
        if (list.isEmpty()) throw new IllegalArgumentException(KEY + ": is empty, expected " + experts + " counts");
        long[] sum = new long[experts];
        if (list.get(0).isJsonArray()) {
            for (int layer = 0; layer < list.size(); layer++) {
                addLayer(sum, Json.array(list.get(layer), KEY + "[" + layer + "] (layer " + layer + ")"), "layer " + layer);
            }
            return ExpertLoad.of(sum, sourceName + " (" + list.size() + " layers summed)");
        }
        addLayer(sum, list, "the flat list");
        return ExpertLoad.of(sum, sourceName);
    }

    private static void addLayer(long[] sum, JsonArray counts, String where) {
        if (counts.size() != sum.length) {
            throw new IllegalArgumentException(KEY + ": " + where + " has " + counts.size() + " counts, expected "
                    + sum.length + " (one per logical expert l = g*N + j)");
        }
        for (int l = 0; l < sum.length; l++) {
            JsonElement c = counts.get(l);
            long v = Json.integer(c, KEY + ": " + where + " expert " + l);
            if (v < 0) {
                throw new IllegalArgumentException(KEY + ": " + where + " expert " + l + " has " + v
                        + " tokens; counts must be 0 or more");
            }
            sum[l] = Math.addExact(sum[l], v);
        }
    }

    /** JSON text for per-layer counts {@code [layers][E]}, in the format {@link #read} accepts. */
    public static String toJson(long[][] tokensPerLayer) {
        if (tokensPerLayer == null || tokensPerLayer.length == 0) {
            throw new IllegalArgumentException(KEY + ": need at least one layer of counts");
        }
        for (int layer = 0; layer < tokensPerLayer.length; layer++) {
            if (tokensPerLayer[layer].length != tokensPerLayer[0].length) {
                throw new IllegalArgumentException(KEY + ": layer " + layer + " has " + tokensPerLayer[layer].length
                        + " counts but layer 0 has " + tokensPerLayer[0].length);
            }
        }
        return "{\"" + KEY + "\": [\n" + Arrays.stream(tokensPerLayer)
                .map(row -> "  [" + Arrays.stream(row).mapToObj(String::valueOf).collect(Collectors.joining(", ")) + "]")
                .collect(Collectors.joining(",\n")) + "\n]}\n";
    }
}
