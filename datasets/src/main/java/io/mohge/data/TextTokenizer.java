package io.mohge.data;

/**
 * Turns one document into token ids and back. Implementations: {@link ByteTokenizer}, {@link BpeTokenizer}.
 *
 * <p>End-of-document convention (both tokenizers): documents never contain a newline (a document is one line),
 * and {@link #END_OF_DOCUMENT} (= byte 10, {@code '\n'}) is appended after every document in the shards.
 * Token ids 0..255 are the single bytes in both tokenizers, so decoding a shard stream gives back the
 * corpus lines separated by newlines.
 */
public interface TextTokenizer {

    /** Token written after every document: the newline byte. */
    int END_OF_DOCUMENT = 10;

    /** {@code byte} or {@code bpe}. */
    String kind();

    /** Number of token ids; every id lies in {@code [0, vocabSize)}. */
    int vocabSize();

    /** Token ids of {@code text}; no end-of-document token is added. */
    int[] encode(String text);

    /** UTF-8 bytes token {@code id} stands for. */
    byte[] tokenBytes(int id);

    /** Text of a token sequence (invalid UTF-8 from a cut multi-byte character becomes U+FFFD). */
    default String decode(int[] ids) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(ids.length * 2);
        for (int id : ids) out.writeBytes(tokenBytes(id));
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
