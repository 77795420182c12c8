package io.mohge.allocation;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementJsonTest {

    private static final ExpertLayout REF = AllSizeDecoupledStrategyTest.REF;
    private static final ExpertLayout SMALL = new ExpertLayout(List.of(128, 256), 2); // E = 4

    @Test
    void roundTripKeepsEveryStrategyAndRankCount() {
        ExpertLoad load = ExpertLoad.groupSkewed(REF, new double[] {8, 7, 6, 5, 4, 3, 2, 1}, 1_000_000L);
        for (AllocationConfig.Strategy s : AllocationConfig.Strategy.values()) {
            for (int ranks : List.of(1, 4, 8, 64)) {
                Placement p = PlacementStrategy.of(s, load).place(REF, ranks);
                Placement back = Placement.fromJson(p.toJson());
                assertEquals(p, back);
                assertEquals(s, back.strategy());
                assertEquals(ranks, back.ranks());
                assertArrayEquals(p.physicalOrder(), back.physicalOrder());
                for (int l = 0; l < 64; l++) assertEquals(p.rankOf(l), back.rankOf(l));
            }
        }
    }

    /** The layout the hand-written writer of earlier builds produced: files written by them must still load. */
    private static final String EARLIER_BUILD = """
            {
              "format": "mohge-placement",
              "version": 1,
              "strategy": "all-size-decoupled",
              "ranks": 2,
              "widths": [128, 256],
              "experts_per_group": 2,
              "local_experts": [
                [0, 2],
                [1, 3]
              ]
            }
            """;

    @Test
    void writtenFormatHasTheSameKeysAndValuesAsEarlierBuilds() {
        Placement p = new AllSizeDecoupledStrategy().place(SMALL, 2);
        assertEquals(JsonParser.parseString(EARLIER_BUILD), JsonParser.parseString(p.toJson()));
        assertEquals(p, Placement.fromJson(EARLIER_BUILD));
        assertTrue(p.toJson().startsWith("{\n  \"format\": \"mohge-placement\",\n"), p.toJson());
        assertTrue(p.toJson().endsWith("}\n"), p.toJson());
    }

    @Test
    void saveAndLoadFile(@TempDir Path dir) throws java.io.IOException {
        Path file = dir.resolve("placement.json");
        Placement p = new AllSizeDecoupledStrategy().place(REF, 8);
        Files.writeString(file, p.toJson());
        assertEquals(p, Placement.load(file));
    }

    @Test
    void layoutMismatchIsReported() {
        Placement p = new AllSizeDecoupledStrategy().place(SMALL, 2);
        p.requireLayout(new ExpertLayout(List.of(128, 256), 2));
        assertEquals("placement: made for widths [128, 256] x 2 experts per group, but the model has widths "
                + "[128, 256] x 4; recreate the placement for this model",
                assertThrows(IllegalArgumentException.class,
                        () -> p.requireLayout(new ExpertLayout(List.of(128, 256), 4))).getMessage());
    }

    @Test
    void corruptFileIsRejectedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("placement.json");
        Files.writeString(file, new ContiguousStrategy().place(SMALL, 2).toJson().substring(0, 60));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Placement.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON"), e.getMessage());
        Path missing = dir.resolve("nope.json");
        assertEquals(missing + ": placement file not found",
                assertThrows(IllegalArgumentException.class, () -> Placement.load(missing)).getMessage());
    }

    @Test
    void inconsistentContentIsRejectedWithTheReason() {
        assertEquals("local_experts: logical expert 2 appears on rank 0 and again on rank 1; every expert must be "
                + "placed exactly once", reject(edit("[1, 3]", "[2, 3]")));
        assertEquals("local_experts: rank 1 holds 1 experts, expected E / ranks = 4 / 2 = 2",
                reject(edit("[1, 3]", "[1]")));
        assertEquals("local_experts: rank 1 lists expert 7, outside the logical experts 0..3",
                reject(edit("[1, 3]", "[1, 7]")));
        assertEquals("ranks: says 3 but local_experts has 2 rank lists", reject(edit("\"ranks\": 2", "\"ranks\": 3")));
        assertEquals("strategy: unknown 'round-robin'; expected one of all-size-decoupled, contiguous, greedy",
                reject(edit("all-size-decoupled", "round-robin")));
        assertEquals("local_experts[1][0]: expected an int, got 1.5", reject(edit("[1, 3]", "[1.5, 3]")));
        assertEquals("local_experts[1]: expected a JSON array, got a string", reject(edit("[1, 3]", "\"1, 3\"")));
        assertEquals("widths: expected a JSON array, got a number", reject(edit("[128, 256]", "128")));
        assertTrue(reject(edit("\"experts_per_group\": 2,", "")).startsWith("experts_per_group: missing"));
        assertTrue(reject(edit("\"experts_per_group\": 2,", "\"experts_per_group\": null,"))
                .startsWith("experts_per_group: missing"));
        assertEquals("format: expected \"mohge-placement\", got \"other\"; this is not a MoHGE-J placement file",
                reject(edit("mohge-placement", "other")));
        assertEquals("widths: must not decrease from the first group to the last (s_0 <= s_1 <= ...), got "
                + "[256, 128]; sort them ascending", reject(edit("[128, 256]", "[256, 128]")));
        assertEquals("local_experts: rank 0 holds 2 experts, expected E / ranks = 6 / 2 = 3",
                reject(edit("\"experts_per_group\": 2", "\"experts_per_group\": 3")));
        assertEquals("version: 2 is not supported; this build reads version 1",
                reject(edit("\"version\": 1", "\"version\": 2")));
        assertTrue(reject(edit("\"strategy\": \"all-size-decoupled\",", "")).startsWith("strategy: missing"));
        assertTrue(reject(edit("\"version\": 1,", "\"version\": 1,,")).startsWith("not valid JSON"));
        assertTrue(reject(EARLIER_BUILD + "x").startsWith("not valid JSON"));
        assertEquals("expected a JSON object at the top level, got a JSON array", reject("[1, 2]"));
    }

    private static String edit(String from, String to) {
        String json = EARLIER_BUILD;
        assertTrue(json.contains(from), from);
        return json.replace(from, to);
    }

    private static String reject(String json) {
        return assertThrows(IllegalArgumentException.class, () -> Placement.fromJson(json)).getMessage();
    }
}
