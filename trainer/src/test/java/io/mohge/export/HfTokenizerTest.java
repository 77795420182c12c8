package io.mohge.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void aForeignFileIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"vocab\": {\"a\": 0}, \"merges\": []}}");
        var e = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }
}
