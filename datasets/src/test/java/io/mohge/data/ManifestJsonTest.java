package io.mohge.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** manifest.json reads back to the same record, and a damaged one is refused naming the file and the key. */
class ManifestJsonTest {

    @TempDir
    Path tmp;

    private static Manifest manifest() {
        return new Manifest(Manifest.FORMAT, ShardHeader.VERSION, "2025-01-02T03:04:05Z", "byte", 256, null, 10,
                new Manifest.Params("corpus.txt", "byte", 0, 0.1, 1024, 0), 90, 10, 5000, 5.25,
                List.of(new ShardInfo("train-00000.bin", 1024, 77, 4160), new ShardInfo("train-00001.bin", 12, 5, 112)),
                List.of(new ShardInfo("val-00000.bin", 300, 9, 1264)));
    }

    private Manifest read(String json) throws IOException {
        Path file = tmp.resolve(Manifest.FILE_NAME);
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return Manifest.read(DataLocation.resolve(file.toString(), new Configuration()));
    }

    @Test
    void aManifestReadsBackToTheSameRecord() throws IOException {
        assertEquals(manifest(), read(new String(manifest().toJson(), StandardCharsets.UTF_8)));
    }

    @Test
    void aDamagedManifestIsRefusedNamingTheKey() {
        assertEquals("vocab_size: must be at least 1, got 0", reject(j -> j.remove("vocab_size")));
        assertEquals("params: missing", reject(j -> j.remove("params")));
        assertEquals("val: missing", reject(j -> j.remove("val")));
        assertEquals("train[1].file: missing",
                reject(j -> j.getAsJsonArray("train").get(1).getAsJsonObject().remove("file")));
        assertEquals("format_version: 99, this build reads version " + ShardHeader.VERSION,
                reject(j -> j.addProperty("format_version", 99)));
        assertEquals("format: expected \"mohge-token-shards\", got \"placement\"; this is not a mohge-token-shards "
                + "manifest", reject(j -> j.addProperty("format", "placement")));
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> read("{\"format\": "));
        assertTrue(e.file().endsWith(tmp.resolve(Manifest.FILE_NAME).toString()), e.file());
        assertTrue(e.problem().startsWith("not valid JSON ("), e.problem());
    }

    /** The problem reported for the manifest changed by {@code edit}; the message names the file and the fix. */
    private String reject(Consumer<JsonObject> edit) {
        JsonObject json = JsonParser.parseString(new String(manifest().toJson(), StandardCharsets.UTF_8)).getAsJsonObject();
        edit.accept(json);
        ShardFormatException e = assertThrows(ShardFormatException.class, () -> read(json.toString()));
        assertTrue(e.file().endsWith(tmp.resolve(Manifest.FILE_NAME).toString()), e.file());
        assertEquals(e.file() + ": " + e.problem() + "; the prepared dataset is damaged or "
                + "stale, re-run `mohge prepare` (with --overwrite if it refuses) to rebuild it", e.getMessage());
        return e.problem();
    }
}
