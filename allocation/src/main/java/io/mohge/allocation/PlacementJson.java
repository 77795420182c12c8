package io.mohge.allocation;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * JSON form of a {@link Placement} ({@code placement.json} beside checkpoints and exports):
 * <pre>
 * {
 *   "format": "mohge-placement",
 *   "version": 1,
 *   "strategy": "all-size-decoupled",
 *   "ranks": 4,
 *   "widths": [384, 512, 640, 768, 896, 1024, 1152, 1280],
 *   "experts_per_group": 8,
 *   "local_experts": [
 *     [0, 56, 8, 48, ...],      one list per rank: logical experts l = g*N + j in physical order
 *     ...
 *   ]
 * }
 * </pre>
 */
final class PlacementJson {

    static final String FORMAT = "mohge-placement";
    static final int VERSION = 1;

    private PlacementJson() { }

    static String write(Placement p) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"format\": \"").append(FORMAT).append("\",\n");
        sb.append("  \"version\": ").append(VERSION).append(",\n");
        sb.append("  \"strategy\": \"").append(p.strategyName()).append("\",\n");
        sb.append("  \"ranks\": ").append(p.ranks()).append(",\n");
        sb.append("  \"widths\": ").append(p.layout().widths()).append(",\n");
        sb.append("  \"experts_per_group\": ").append(p.layout().expertsPerGroup()).append(",\n");
        sb.append("  \"local_experts\": [\n");
        for (int r = 0; r < p.ranks(); r++) {
            sb.append("    [").append(IntStream.of(p.localExperts(r)).mapToObj(String::valueOf)
                    .collect(Collectors.joining(", "))).append(']').append(r + 1 < p.ranks() ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    static Placement read(String json) {
        JsonObject root = Json.object(Json.parse(json));
        String format = Json.string(Json.required(root, "format"), "format");
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", got \"" + format
                    + "\"; this is not a MoHGE-J placement file");
        }
        int version = Json.intValue(Json.required(root, "version"), "version");
        if (version != VERSION) {
            throw new IllegalArgumentException("version: " + version + " is not supported; this build reads version "
                    + VERSION);
        }
        AllocationConfig.Strategy strategy = PlacementStrategy.parseName(
                Json.string(Json.required(root, "strategy"), "strategy"));
        int ranks = Json.intValue(Json.required(root, "ranks"), "ranks");

        JsonArray widthsJson = Json.array(Json.required(root, "widths"), "widths");
        List<Integer> widths = new ArrayList<>();
        for (int g = 0; g < widthsJson.size(); g++) widths.add(Json.intValue(widthsJson.get(g), "widths[" + g + "]"));
        int n = Json.intValue(Json.required(root, "experts_per_group"), "experts_per_group");
        ExpertLayout layout = new ExpertLayout(widths, n);

        JsonArray ranksJson = Json.array(Json.required(root, "local_experts"), "local_experts");
        if (ranksJson.size() != ranks) {
            throw new IllegalArgumentException("ranks: says " + ranks + " but local_experts has " + ranksJson.size()
                    + " rank lists");
        }
        int[][] local = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            JsonArray list = Json.array(ranksJson.get(r), "local_experts[" + r + "]");
            local[r] = new int[list.size()];
            for (int i = 0; i < list.size(); i++) {
                local[r][i] = Json.intValue(list.get(i), "local_experts[" + r + "][" + i + "]");
            }
        }
        return Placement.of(strategy, layout, local);
    }
}
