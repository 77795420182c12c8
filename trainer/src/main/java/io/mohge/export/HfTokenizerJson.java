package io.mohge.export;

import com.google.gson.annotations.SerializedName;

import java.util.List;
import java.util.Map;

import static io.mohge.json.JsonRecords.required;

/**
 * {@code tokenizer.json} and {@code tokenizer_config.json} ({@link HfTokenizer}) as Gson records. Keys the
 * tokenizers format allows but we leave at their defaults (truncation, padding, normalizer, post_processor,
 * dropout, unk_token, ...) are null and so not written, as before.
 */
final class HfTokenizerJson {

    private HfTokenizerJson() { }

    /** {@code tokenizer.json}; reading needs only {@code model}, the rest is what transformers loads. */
    record File(String version, List<Object> addedTokens, PreTokenizer preTokenizer, PreTokenizer decoder,
                Model model) {
        File {
            required(model, "model");
        }
    }

    /**
     * A pre-tokenizer or decoder: {@code Sequence} (pretokenizers), {@code Split} (pattern, behavior, invert) or
     * {@code ByteLevel} (add_prefix_space, trim_offsets, use_regex); the components of the other types are null.
     */
    record PreTokenizer(String type, Pattern pattern, String behavior, Boolean invert, List<PreTokenizer> pretokenizers,
                        Boolean addPrefixSpace, Boolean trimOffsets, Boolean useRegex) {

        static PreTokenizer byteLevel() {
            return new PreTokenizer("ByteLevel", null, null, null, null, false, false, false);
        }

        static PreTokenizer split(String regex) {
            return new PreTokenizer("Split", new Pattern(regex), "Isolated", false, null, null, null, null);
        }

        static PreTokenizer sequence(PreTokenizer... steps) {
            return new PreTokenizer("Sequence", null, null, null, List.of(steps), null, null, null);
        }
    }

    /** A Split pattern given as a regular expression. */
    record Pattern(@SerializedName("Regex") String regex) { }

    /** The BPE model: byte-table strings to ids, and merges as {@code "left right"} in learning order. */
    record Model(String type, Boolean fuseUnk, Boolean byteFallback, Map<String, Integer> vocab, List<String> merges) {
        Model {
            required(vocab, "model.vocab");
            required(merges, "model.merges");
            vocab.forEach((token, id) -> required(id, "model.vocab." + token));
            for (int i = 0; i < merges.size(); i++) required(merges.get(i), "model.merges[" + i + "]");
        }
    }

    /** {@code tokenizer_config.json}: lets transformers' AutoTokenizer load tokenizer.json. */
    record Config(String tokenizerClass, int modelMaxLength, boolean cleanUpTokenizationSpaces,
                  String mohgeTokenizerKind) { }
}
