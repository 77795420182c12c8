package io.mohge.mixture;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** mixture.json and em/state.json read back to the same record, and a damaged file is refused naming the key. */
class MixtureJsonTest {

    @TempDir
    Path dir;

    private static MixtureManifest manifest() {
        return new MixtureManifest(MixtureManifest.FORMAT, MixtureManifest.METHOD, 2, 8, 64,
                List.of("routers/router-0", "routers/router-1"), List.of("experts/expert-0", "experts/expert-1"),
                "tokenizer.json", "uniform", 3, EmState.STOP_CONVERGED, List.of(10L, 10L), List.of(40L, 41L),
                new Compute(1e12, 2.5e11, 3e13));
    }

    private static EmState state() {
        return new EmState(EmState.FORMAT, "run: {name: em}\n", -42L, 100, 10, 2, List.of(37, 4),
                EmState.STOP_CONVERGED, true);
    }

    @Test
    void aMixtureManifestReadsBackToTheSameRecord() throws IOException {
        Files.write(dir.resolve(MixtureManifest.FILE), manifest().toJson());
        assertEquals(manifest(), MixtureManifest.read(dir));
    }

    @Test
    void aDamagedMixtureManifestIsRefusedNamingTheKey() throws IOException {
        assertEquals("expert_dirs: lists 1 directories for experts = 2",
                rejectManifest(j -> j.getAsJsonArray("expert_dirs").remove(1)));
        assertEquals("tokenizer: missing", rejectManifest(j -> j.remove("tokenizer")));
        assertEquals("prefix_tokens: at least 2, got 0", rejectManifest(j -> j.remove("prefix_tokens")));
        assertEquals("format: expected \"" + MixtureManifest.FORMAT + "\", got \"mohge-placement\"; this is not a "
                + "mixture written by mohge smalltalk export", rejectManifest(j -> j.addProperty("format", "mohge-placement")));
        assertEquals("experts: expected a number, got \"two\"", rejectManifest(j -> j.addProperty("experts", "two")));
    }

    @Test
    void anEmStateReadsBackToTheSameRecord() throws IOException {
        Path file = dir.resolve("em/state.json");
        state().write(file);
        assertEquals(state(), EmState.read(file));
        assertNull(EmState.read(dir.resolve("em/none.json")));
    }

    @Test
    void aDamagedEmStateIsRefusedNamingTheKey() throws IOException {
        assertEquals("changed: one count per round done (rounds_done = 2), got 1",
                rejectState(j -> j.getAsJsonArray("changed").remove(1)));
        assertEquals("config_yaml: missing", rejectState(j -> j.remove("config_yaml")));
        assertEquals("changed[1]: missing", rejectState(j -> j.getAsJsonArray("changed").set(1, null)));
        assertEquals("stopped: \"tired\" is not rounds, converged or null", rejectState(j -> j.addProperty("stopped", "tired")));
    }

    /** The key part of the message refusing mixture.json changed by {@code edit}. */
    private String rejectManifest(Consumer<JsonObject> edit) throws IOException {
        Path file = dir.resolve(MixtureManifest.FILE);
        Files.writeString(file, edited(new String(manifest().toJson(), StandardCharsets.UTF_8), edit));
        String message = assertThrows(IllegalArgumentException.class, () -> MixtureManifest.read(dir)).getMessage();
        return between(message, "--export: " + file + ": ", "; export the mixture again with mohge smalltalk export");
    }

    /** The key part of the message refusing em/state.json changed by {@code edit}. */
    private String rejectState(Consumer<JsonObject> edit) throws IOException {
        Path file = dir.resolve("state.json");
        state().write(file);
        Files.writeString(file, edited(Files.readString(file), edit));
        String message = assertThrows(IOException.class, () -> EmState.read(file)).getMessage();
        return between(message, file + ": not a usable " + EmState.FORMAT + " file (",
                "); start the router training again in a new run.out_dir");
    }

    /** {@code message} without {@code prefix} and {@code suffix}, which it must start and end with. */
    private static String between(String message, String prefix, String suffix) {
        assertTrue(message.startsWith(prefix) && message.endsWith(suffix), message);
        return message.substring(prefix.length(), message.length() - suffix.length());
    }

    private static String edited(String json, Consumer<JsonObject> edit) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        edit.accept(o);
        return o.toString();
    }
}
