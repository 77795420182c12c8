package io.mohge.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mohge.config.BadInputException;
import io.mohge.data.BpeTokenizer;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.TextTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** tokenizer.json written by {@link HfTokenizer#json} reads back into the same tokenizer. */
class HfTokenizerTest {

    private static final List<String> TEXTS = List.of("The Commission votes on the 2024 budget.",
            "Die Kommission stimmt ab, schön!", "Ελληνικά και français — 42 €");

    @TempDir
    Path dir;

    @Test
    void byteAndBpeTokenizersRoundTrip() throws Exception {
        // merges: "t"+"h", "th"+"e", " "+"the"
        BpeTokenizer bpe = new BpeTokenizer(List.of(new int[] {'t', 'h'}, new int[] {256, 'e'}, new int[] {' ', 257}));
        for (TextTokenizer tok : List.of(new ByteTokenizer(), bpe)) {
            Path file = dir.resolve(tok.kind() + ".json");
            Files.writeString(file, HfTokenizer.json(tok).toString());
            TextTokenizer back = HfTokenizer.read(file);
            assertEquals(tok.kind(), back.kind());
            assertEquals(tok.vocabSize(), back.vocabSize());
            for (String text : TEXTS) assertArrayEquals(tok.encode(text), back.encode(text), tok.kind() + ": " + text);
        }
        assertTrue(bpe.encode(" the").length == 1, "the merges are used");
    }

    @Test
    void writtenFilesAreThoseOfEarlierBuilds() throws Exception {
        BpeTokenizer bpe = new BpeTokenizer(List.of(new int[] {'t', 'h'}, new int[] {256, 'e'}, new int[] {' ', 257}));
        for (TextTokenizer tok : List.of(new ByteTokenizer(), bpe)) {
            Path file = dir.resolve(tok.kind() + ".json");
            Exporter.writeJson(file, HfTokenizer.json(tok));
            assertEquals(golden(tok.kind() + "-tokenizer.json"), Files.readString(file), tok.kind());
            Exporter.writeJson(file, HfTokenizer.config(tok, 64));
            assertEquals(golden(tok.kind() + "-tokenizer_config.json"), Files.readString(file), tok.kind());
        }
    }

    @Test
    void aMissingOrMistypedKeyIsNamed() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        String hint = "; not a tokenizer.json written by mohge export, export the model again";
        Files.writeString(file, "{\"model\": {\"vocab\": {\"a\": 0}}}");
        assertEquals(file + ": model.merges: missing" + hint,
                assertThrows(BadInputException.class, () -> HfTokenizer.read(file)).getMessage());
        Files.writeString(file, "{\"model\": {\"vocab\": {\"a\": \"zero\"}, \"merges\": []}}");
        assertEquals(file + ": model.vocab: expected a number, got \"zero\"" + hint,
                assertThrows(BadInputException.class, () -> HfTokenizer.read(file)).getMessage());
        Files.writeString(file, "{\"version\": \"1.0\"}");
        assertEquals(file + ": model: missing" + hint,
                assertThrows(BadInputException.class, () -> HfTokenizer.read(file)).getMessage());
    }

    private static String golden(String name) throws java.io.IOException {
        try (var in = HfTokenizerTest.class.getResourceAsStream("/hf-tokenizer/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForeignFileIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"vocab\": {\"a\": 0}, \"merges\": []}}");
        var e = assertThrows(BadInputException.class, () -> HfTokenizer.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
