package io.mohge.allocation;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadStatsTest {

    @Test
    void layersAreSummed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stats.json");
        Files.writeString(file, "{\"tokens_per_expert\": [[1, 2, 3, 4], [10, 20, 30, 40]]}");
        ExpertLoad load = LoadStats.read(file, 4);
        assertArrayEquals(new long[] {11, 22, 33, 44}, load.toArray());
        assertEquals(110, load.total());
        assertEquals(file + " (2 layers summed)", load.source());
    }

    @Test
    void flatListIsAccepted() {
        assertArrayEquals(new long[] {5, 0, 7}, LoadStats.parse("{\"tokens_per_expert\": [5, 0, 7]}", 3, "s").toArray());
    }

    @Test
    void writeThenReadRoundTrips(@TempDir Path dir) throws java.io.IOException {
        Path file = dir.resolve("stats.json");
        long[][] perLayer = {{1, 2, 3}, {4_000_000_000L, 0, 6}};
        Files.writeString(file, LoadStats.toJson(perLayer));
        assertEquals(JsonParser.parseString("{\"tokens_per_expert\": [[1, 2, 3], [4000000000, 0, 6]]}"),
                JsonParser.parseString(Files.readString(file)), "same keys and values as earlier builds wrote");
        assertArrayEquals(new long[] {4_000_000_001L, 2, 9}, LoadStats.read(file, 3).toArray());
    }

    @Test
    void badFilesAreRejectedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("stats.json");
        assertEquals(file + ": tokens_per_expert: layer 1 has 3 counts, expected 4 (one per logical expert l = g*N + j)",
                reject(file, "{\"tokens_per_expert\": [[1, 2, 3, 4], [1, 2, 3]]}"));
        assertEquals(file + ": tokens_per_expert: layer 0 expert 2 has -3 tokens; counts must be 0 or more",
                reject(file, "{\"tokens_per_expert\": [[1, 2, -3, 4]]}"));
        assertEquals(file + ": tokens_per_expert: the flat list has 2 counts, expected 4 (one per logical expert "
                + "l = g*N + j)", reject(file, "{\"tokens_per_expert\": [1, 2]}"));
        assertEquals(file + ": tokens_per_expert[0][1]: expected a long, got 2.5",
                reject(file, "{\"tokens_per_expert\": [[1, 2.5, 3, 4]]}"));
        assertEquals(file + ": tokens_per_expert[1]: expected a JSON array, got a number",
                reject(file, "{\"tokens_per_expert\": [[1, 2, 3, 4], 5]}"));
        assertTrue(reject(file, "{\"counts\": [1]}").startsWith(file + ": tokens_per_expert: missing; expected {"));
        assertEquals(file + ": tokens_per_expert: expected a JSON array, got a string",
                reject(file, "{\"tokens_per_expert\": \"1, 2\"}"));
        assertEquals(file + ": tokens_per_expert: is empty, expected 4 counts", reject(file, "{\"tokens_per_expert\": []}"));
        assertTrue(reject(file, "{\"tokens_per_expert\": [[1, 2, 3, 4]").startsWith(file + ": not valid JSON"));
        Path missing = dir.resolve("missing.json");
        assertEquals(missing + ": load statistics file not found",
                assertThrows(IllegalArgumentException.class, () -> LoadStats.read(missing, 4)).getMessage());
    }

    private static String reject(Path file, String content) throws Exception {
        Files.writeString(file, content);
        return assertThrows(IllegalArgumentException.class, () -> LoadStats.read(file, 4)).getMessage();
    }
}
