package io.mohge.export;

import io.mohge.config.BadInputException;
import io.mohge.data.BpeTokenizer;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.TextTokenizer;
import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our byte-level and BPE tokenizers in the Hugging Face {@code tokenizers} JSON format ({@code tokenizer.json}),
 * written from the format's specification as the records of {@link HfTokenizerJson}: a byte-level BPE model whose
 * ids 0..255 are the single bytes (id = byte value, unlike GPT-2's vocabulary order) and whose id 256 + i is
 * merge i. The byte tokenizer is the
 * same model without merges.
 *
 * <p>Pieces:
 * <ul>
 *   <li>{@code pre_tokenizer}: for BPE a {@code Split} with our pretokenizer's pattern (an optional space then
 *       letters, or digits, or other symbols; or a run of whitespace; whitespace means the six ASCII characters
 *       Java's {@code \s} matches), then {@code ByteLevel} without its own regex, which maps every byte to the
 *       printable character of GPT-2's byte table ({@link #byteChar}).</li>
 *   <li>{@code model}: BPE with the vocabulary (byte-table strings to ids) and the merges as {@code "left right"}
 *       strings in learning order (rank = merge index). Applying the lowest-ranked merge first gives the same
 *       ids as {@link BpeTokenizer#encode}.</li>
 *   <li>{@code decoder}: ByteLevel (characters back to bytes, then UTF-8).</li>
 * </ul>
 * No special tokens: the end of a document is the newline byte (id 10).
 */
public final class HfTokenizer {

    /** Our pretokenizer's pattern ({@code io.mohge.data.Pretokenizer}) with Java's ASCII {@code \s} spelled out. */
    static final String SPLIT_PATTERN =
            " ?\\p{L}+| ?\\p{N}+| ?[^ \\t\\n\\x0B\\f\\r\\p{L}\\p{N}]+|[ \\t\\n\\x0B\\f\\r]+";

    private static final char[] BYTE_CHARS = byteTable();

    private HfTokenizer() { }

    /**
     * GPT-2's reversible byte-to-character table: bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF stand for
     * themselves; the other 68 bytes, in increasing order, become U+0100, U+0101, ... so that no token string
     * holds a space or a control character.
     */
    public static char byteChar(int b) {
        return BYTE_CHARS[b];
    }

    private static char[] byteTable() {
        char[] table = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? (char) b : (char) (256 + next++);
        }
        return table;
    }

    /** The byte-table string of token {@code id}. */
    static String tokenString(TextTokenizer tok, int id) {
        StringBuilder s = new StringBuilder();
        for (byte b : tok.tokenBytes(id)) s.append(byteChar(b & 0xFF));
        return s.toString();
    }

    /**
     * Reads back a {@code tokenizer.json} this class wrote: no merges and 256 byte tokens is the byte tokenizer,
     * otherwise the BPE whose merge i makes id 256 + i.
     */
    public static TextTokenizer read(Path file) throws IOException {
        HfTokenizerJson.Model model;
        try {
            model = JsonRecords.read(Files.readString(file, StandardCharsets.UTF_8), HfTokenizerJson.File.class).model();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage() + "; not a tokenizer.json written by "
                    + "mohge export, export the model again", e);
        }
        Map<String, Integer> vocab = model.vocab();
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(byteChar(b)));
            if (id == null || id != b) {
                throw new BadInputException(file + ": byte " + b + " is not token " + b + "; not a MoHGE-J tokenizer");
            }
        }
        List<String> merges = model.merges();
        if (merges.isEmpty()) return new ByteTokenizer();
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).split(" ", -1);
            Integer a = parts.length == 2 ? vocab.get(parts[0]) : null;
            Integer b = parts.length == 2 ? vocab.get(parts[1]) : null;
            if (a == null || b == null) {
                throw new BadInputException(file + ": merge " + i + " (\"" + merges.get(i) + "\") names unknown tokens");
            }
            pairs.add(new int[] {a, b});
        }
        return new BpeTokenizer(pairs);
    }

    /** {@code tokenizer.json} for {@code tok}. */
    public static String json(TextTokenizer tok) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            String s = tokenString(tok, id);
            Integer before = seen.put(s, id);
            if (before != null) {
                throw new BadInputException("export: tokens " + before + " and " + id + " of the " + tok.kind()
                        + " tokenizer stand for the same bytes; the Hugging Face tokenizer format needs one id per "
                        + "byte string, so this vocabulary cannot be exported as tokenizer.json (retrain the BPE "
                        + "with another bpe_vocab_size)");
            }
            vocab.put(s, id);
        }
        List<String> merges = new ArrayList<>();
        if (tok instanceof BpeTokenizer bpe) {
            for (int[] pair : bpe.merges()) merges.add(tokenString(tok, pair[0]) + " " + tokenString(tok, pair[1]));
        }
        HfTokenizerJson.PreTokenizer byteLevel = HfTokenizerJson.PreTokenizer.byteLevel();
        HfTokenizerJson.PreTokenizer pre = tok instanceof BpeTokenizer
                ? HfTokenizerJson.PreTokenizer.sequence(HfTokenizerJson.PreTokenizer.split(SPLIT_PATTERN), byteLevel)
                : byteLevel;
        return JsonRecords.write(new HfTokenizerJson.File("1.0", List.of(), pre, byteLevel,
                new HfTokenizerJson.Model("BPE", false, false, vocab, merges)));
    }

    /** {@code tokenizer_config.json}: lets transformers' AutoTokenizer load tokenizer.json. */
    public static String config(TextTokenizer tok, int maxLength) {
        return JsonRecords.write(new HfTokenizerJson.Config("PreTrainedTokenizerFast", maxLength, false, tok.kind()));
    }
}
