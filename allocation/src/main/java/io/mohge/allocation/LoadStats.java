package io.mohge.allocation;

import com.google.gson.TypeAdapter;
import com.google.gson.annotations.JsonAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tokens-per-expert statistics written by the trainer and read by the balance report:
 * <pre>
 * {"tokens_per_expert": [[...E counts for layer 0...], [...layer 1...], ...]}   summed over layers
 * {"tokens_per_expert": [...E counts...]}                                       a single (flat) list
 * </pre>
 * Counts are non-negative integers indexed by logical expert l = g*N + j. Read and written by Gson as the record
 * {@link StatsFile}, which checks the counts.
 */
public final class LoadStats {

    static final String KEY = "tokens_per_expert";

    private LoadStats() { }

    /**
     * The file's content.
     *
     * @param tokensPerExpert counts per layer ({@code [layers][E]})
     */
    record StatsFile(@JsonAdapter(CountsAdapter.class) Counts tokensPerExpert) {
        StatsFile {
            if (tokensPerExpert == null) throw new IllegalArgumentException(KEY + ": missing; expected "
                    + "{\"" + KEY + "\": [[counts of layer 0], [counts of layer 1], ...]}");
            long[][] layers = tokensPerExpert.layers();
            for (int layer = 0; layer < layers.length; layer++) {
                String where = tokensPerExpert.flat() ? "the flat list" : "layer " + layer;
                for (int l = 0; l < layers[layer].length; l++) {
                    if (layers[layer][l] < 0) {
                        throw new IllegalArgumentException(KEY + ": " + where + " expert " + l + " has "
                                + layers[layer][l] + " tokens; counts must be 0 or more");
                    }
                }
            }
        }
    }

    /** The counts, {@code [layers][E]}; {@code flat} when the file held one list rather than one per layer. */
    record Counts(long[][] layers, boolean flat) { }

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
            return sum(JsonRecords.read(json, StatsFile.class).tokensPerExpert(), experts, sourceName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(sourceName + ": " + e.getMessage(), e);
        }
    }

    private static ExpertLoad sum(Counts counts, int experts, String sourceName) {
        if (experts < 1) throw new IllegalArgumentException("experts: must be 1 or more, got " + experts);
        long[][] layers = counts.layers();
        if (layers.length == 0) throw new IllegalArgumentException(KEY + ": is empty, expected " + experts + " counts");
        long[] sum = new long[experts];
        for (int layer = 0; layer < layers.length; layer++) {
            String where = counts.flat() ? "the flat list" : "layer " + layer;
            if (layers[layer].length != experts) {
                throw new IllegalArgumentException(KEY + ": " + where + " has " + layers[layer].length
                        + " counts, expected " + experts + " (one per logical expert l = g*N + j)");
            }
            for (int l = 0; l < experts; l++) sum[l] = Math.addExact(sum[l], layers[layer][l]);
        }
        return counts.flat() ? ExpertLoad.of(sum, sourceName)
                : ExpertLoad.of(sum, sourceName + " (" + layers.length + " layers summed)");
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
        return JsonRecords.write(new StatsFile(new Counts(tokensPerLayer, false))) + "\n";
    }

    /** {@code tokens_per_expert} is a list of per-layer lists or one flat list of counts. */
    static final class CountsAdapter extends TypeAdapter<Counts> {
        @Override
        public void write(JsonWriter out, Counts counts) throws IOException {
            if (counts.flat()) {
                writeList(out, counts.layers()[0]);
                return;
            }
            out.beginArray();
            for (long[] layer : counts.layers()) writeList(out, layer);
            out.endArray();
        }

        @Override
        public Counts read(JsonReader in) throws IOException {
            in.beginArray();
            boolean flat = in.peek() != JsonToken.BEGIN_ARRAY && in.peek() != JsonToken.END_ARRAY;
            List<long[]> layers = new ArrayList<>();
            if (flat) {
                layers.add(readRest(in));
                return new Counts(layers.toArray(new long[0][]), true);
            }
            while (in.hasNext()) {
                in.beginArray();
                layers.add(readRest(in));
            }
            in.endArray();
            return new Counts(layers.toArray(new long[0][]), false);
        }

        /** The longs up to the end of the array already begun. */
        private static long[] readRest(JsonReader in) throws IOException {
            List<Long> values = new ArrayList<>();
            while (in.hasNext()) values.add(in.nextLong());
            in.endArray();
            return values.stream().mapToLong(Long::longValue).toArray();
        }

        private static void writeList(JsonWriter out, long[] values) throws IOException {
            out.beginArray();
            for (long v : values) out.value(v);
            out.endArray();
        }
    }
}
