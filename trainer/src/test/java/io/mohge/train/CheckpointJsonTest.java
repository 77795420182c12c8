package io.mohge.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** state.json and manifest.json of a checkpoint: the layout earlier builds wrote, and clear errors for bad files. */
class CheckpointJsonTest {

    private static final List<String> FILES = List.of("params.safetensors", "optimizer.safetensors",
            "router_biases.safetensors", "state.json", "config.yaml", "placement.json");

    @TempDir
    Path root;

    @Test
    void stateAndManifestAreTheFilesEarlierBuildsWrote() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(CheckpointStoreTest.checkpoint(123));
        assertEquals("""
                {
                  "format": "mohge-checkpoint-1",
                  "step": 123,
                  "rng_seed": 42,
                  "rng_state": 369,
                  "data_position": "{\\"epoch\\":1,\\"offset\\":123}"
                }""", Files.readString(dir.resolve("state.json")));
        StringBuilder want = new StringBuilder("{\n  \"format\": \"mohge-checkpoint-1\",\n  \"step\": 123,\n  \"files\": {");
        for (String f : FILES) {
            want.append(f.equals(FILES.get(0)) ? "\n" : ",\n").append("    \"").append(f).append("\": {\n")
                    .append("      \"bytes\": ").append(Files.size(dir.resolve(f))).append(",\n")
                    .append("      \"crc32\": \"").append(CheckpointStore.crc32(dir.resolve(f))).append("\"\n    }");
        }
        assertEquals(want.append("\n  }\n}").toString(), Files.readString(dir.resolve("manifest.json")));
    }

    @Test
    void aStateFileWithAMissingOrMistypedKeyNamesFileAndKey() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(CheckpointStoreTest.checkpoint(7));
        Path state = dir.resolve("state.json");
        assertEquals("corrupt checkpoint file " + state + ": rng_seed: missing; resume from an older checkpoint "
                + "(delete this step directory) or start afresh", rejectState(dir, s -> s.remove("rng_seed")));
        assertEquals("corrupt checkpoint file " + state + ": rng_state: expected a long, got true or false; resume "
                + "from an older checkpoint (delete this step directory) or start afresh",
                rejectState(dir, s -> s.addProperty("rng_state", true)));
        assertEquals("corrupt checkpoint file " + state + ": data_position: expected a string, got a JSON object; "
                + "resume from an older checkpoint (delete this step directory) or start afresh",
                rejectState(dir, s -> s.add("data_position", new JsonObject())));
    }

    @Test
    void aManifestWithAMissingOrMistypedKeyNamesFileAndKey() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(CheckpointStoreTest.checkpoint(7));
        Path manifest = dir.resolve("manifest.json");
        String good = Files.readString(manifest);
        Files.writeString(manifest, good.replaceFirst(",\n\\s*\"crc32\": \"[0-9a-f]+\"", ""));
        assertEquals("corrupt checkpoint file " + manifest + ": files.params.safetensors.crc32: missing; resume from "
                + "an older checkpoint (delete this step directory) or start afresh", reject(dir));
        Files.writeString(manifest, "{\"format\": \"mohge-checkpoint-1\", \"step\": 7, \"files\": 5}");
        assertEquals("corrupt checkpoint file " + manifest + ": files: expected a JSON object, got a number; "
                + "resume from an older checkpoint (delete this step directory) or start afresh", reject(dir));
        Files.writeString(manifest, good.substring(0, good.length() / 2));
        assertEquals(true, reject(dir).startsWith("corrupt checkpoint file " + manifest + ": not valid JSON"));
    }

    private static String rejectState(Path dir, java.util.function.Consumer<JsonObject> edit) throws IOException {
        Path state = dir.resolve("state.json");
        String good = Files.readString(state);
        JsonObject s = JsonParser.parseString(good).getAsJsonObject();
        edit.accept(s);
        Files.writeString(state, s.toString());
        resealManifest(dir);
        try {
            return reject(dir);
        } finally {
            Files.writeString(state, good);
            resealManifest(dir);
        }
    }

    /** Records the current size and CRC32 of state.json in the manifest, so that only the content is wrong. */
    private static void resealManifest(Path dir) throws IOException {
        Path manifest = dir.resolve("manifest.json");
        JsonObject m = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        JsonObject entry = m.getAsJsonObject("files").getAsJsonObject("state.json");
        entry.addProperty("bytes", Files.size(dir.resolve("state.json")));
        entry.addProperty("crc32", CheckpointStore.crc32(dir.resolve("state.json")));
        Files.writeString(manifest, m.toString());
    }

    private static String reject(Path dir) {
        return assertThrows(IllegalArgumentException.class, () -> CheckpointStore.load(dir)).getMessage();
    }

}
