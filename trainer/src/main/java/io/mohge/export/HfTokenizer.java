package io.mohge.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.mohge.data.BpeTokenizer;
import io.mohge.data.ByteTokenizer;
import io.mohge.data.TextTokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Our byte-level and BPE tokenizers in the Hugging Face {@code tokenizers} JSON format ({@code tokenizer.json}),
 * written by hand from the format's specification: a byte-level BPE model whose ids 0..255 are the single bytes
 * (id = byte value, unlike GPT-2's vocabulary order) and whose id 256 + i is merge i. The byte tokenizer is the
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
        JsonObject model;
        try {
            model = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject()
                    .getAsJsonObject("model");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a tokenizer.json written by mohge export (" + e.getMessage() + ")");
        }
        if (model == null || !model.has("vocab") || !model.has("merges")) {
            throw new IllegalArgumentException(file + ": no model.vocab / model.merges; export the model again");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.getAsJsonObject("vocab").entrySet().forEach(e -> vocab.put(e.getKey(), e.getValue().getAsInt()));
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(byteChar(b)));
            if (id == null || id != b) {
                throw new IllegalArgumentException(file + ": byte " + b + " is not token " + b + "; not a MoHGE-J tokenizer");
            }
        }
        JsonArray merges = model.getAsJsonArray("merges");
        if (merges.isEmpty()) return new ByteTokenizer();
        List<int[]> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < merges.size(); i++) {
            String[] parts = merges.get(i).getAsString().split(" ", -1);
            Integer a = parts.length == 2 ? vocab.get(parts[0]) : null;
            Integer b = parts.length == 2 ? vocab.get(parts[1]) : null;
            if (a == null || b == null) {
                throw new IllegalArgumentException(file + ": merge " + i + " (" + merges.get(i) + ") names unknown tokens");
            }
            pairs.add(new int[] {a, b});
        }
        return new BpeTokenizer(pairs);
    }

    /** {@code tokenizer.json} for {@code tok}. */
    public static JsonObject json(TextTokenizer tok) {
        JsonObject vocab = new JsonObject();
        Map<String, Integer> seen = new HashMap<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            String s = tokenString(tok, id);
            Integer before = seen.put(s, id);
            if (before != null) {
                throw new IllegalArgumentException("export: tokens " + before + " and " + id + " of the " + tok.kind()
                        + " tokenizer stand for the same bytes; the Hugging Face tokenizer format needs one id per "
                        + "byte string, so this vocabulary cannot be exported as tokenizer.json (retrain the BPE "
                        + "with another bpe_vocab_size)");
            }
            vocab.addProperty(s, id);
        }
        JsonArray merges = new JsonArray();
        if (tok instanceof BpeTokenizer bpe) {
            List<int[]> pairs = bpe.merges();
            for (int[] pair : pairs) merges.add(tokenString(tok, pair[0]) + " " + tokenString(tok, pair[1]));
        }

        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.add("vocab", vocab);
        model.add("merges", merges);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", new JsonArray());
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", preTokenizer(tok instanceof BpeTokenizer));
        root.add("post_processor", JsonNull.INSTANCE);
        root.add("decoder", byteLevel());
        root.add("model", model);
        return root;
    }

    private static JsonObject preTokenizer(boolean split) {
        if (!split) return byteLevel();
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", SPLIT_PATTERN);
        JsonObject splitter = new JsonObject();
        splitter.addProperty("type", "Split");
        splitter.add("pattern", pattern);
        splitter.addProperty("behavior", "Isolated");
        splitter.addProperty("invert", false);
        JsonArray steps = new JsonArray();
        steps.add(splitter);
        steps.add(byteLevel());
        JsonObject seq = new JsonObject();
        seq.addProperty("type", "Sequence");
        seq.add("pretokenizers", steps);
        return seq;
    }

    private static JsonObject byteLevel() {
        JsonObject o = new JsonObject();
        o.addProperty("type", "ByteLevel");
        o.addProperty("add_prefix_space", false);
        o.addProperty("trim_offsets", false);
        o.addProperty("use_regex", false);
        return o;
    }

    /** {@code tokenizer_config.json}: lets transformers' AutoTokenizer load tokenizer.json. */
    public static JsonObject config(TextTokenizer tok, int maxLength) {
        JsonObject o = new JsonObject();
        o.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        o.addProperty("model_max_length", maxLength);
        o.addProperty("clean_up_tokenization_spaces", false);
        o.addProperty("mohge_tokenizer_kind", tok.kind());
        return o;
    }
}
