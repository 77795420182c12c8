package io.mohge.allocation;

import io.mohge.json.JsonRecords;

import java.util.List;

/**
 * JSON form of a {@link Placement} ({@code placement.json} beside checkpoints and exports), read and written by
 * Gson ({@link JsonRecords}):
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
 * The constructor checks that every key is present, the format and version, and that {@code ranks} matches the
 * rank lists; {@link Placement#of} checks the rest (every expert placed once, equal counts per rank).
 */
record PlacementJson(String format, Integer version, String strategy, Integer ranks, List<Integer> widths,
                     Integer expertsPerGroup, int[][] localExperts) {

    static final String FORMAT = "mohge-placement";
    static final int VERSION = 1;

    PlacementJson {
        if (!FORMAT.equals(required(format, "format"))) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", got \"" + format
                    + "\"; this is not a MoHGE-J placement file");
        }
        if (required(version, "version") != VERSION) {
            throw new IllegalArgumentException("version: " + version + " is not supported; this build reads version "
                    + VERSION);
        }
        required(strategy, "strategy");
        required(ranks, "ranks");
        for (int g = 0; g < required(widths, "widths").size(); g++) required(widths.get(g), "widths[" + g + "]");
        required(expertsPerGroup, "experts_per_group");
        if (required(localExperts, "local_experts").length != ranks) {
            throw new IllegalArgumentException("ranks: says " + ranks + " but local_experts has " + localExperts.length
                    + " rank lists");
        }
        for (int r = 0; r < ranks; r++) required(localExperts[r], "local_experts[" + r + "]");
    }

    static PlacementJson of(Placement p) {
        int[][] local = new int[p.ranks()][];
        for (int r = 0; r < p.ranks(); r++) local[r] = p.localExperts(r);
        return new PlacementJson(FORMAT, VERSION, p.strategyName(), p.ranks(), p.layout().widths(),
                p.layout().expertsPerGroup(), local);
    }

    static String write(Placement p) {
        return JsonRecords.write(of(p)) + "\n";
    }

    static Placement read(String json) {
        return JsonRecords.read(json, PlacementJson.class).toPlacement();
    }

    Placement toPlacement() {
        ExpertLayout layout = new ExpertLayout(widths, expertsPerGroup);
        return Placement.of(PlacementStrategy.parseName(strategy), layout, localExperts);
    }

    private static <T> T required(T value, String key) {
        if (value == null) throw new IllegalArgumentException(key + ": missing; write it as in a placement from "
                + "`mohge allocate --save`");
        return value;
    }
}
