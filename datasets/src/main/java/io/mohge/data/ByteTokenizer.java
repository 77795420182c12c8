package io.mohge.data;

import java.nio.charset.StandardCharsets;

/** Byte-level tokenizer: a token is one byte of the UTF-8 encoding (vocabulary 256). */
public final class ByteTokenizer implements TextTokenizer {

    private static final byte[][] BYTES = new byte[256][];

    static {
        for (int i = 0; i < 256; i++) BYTES[i] = new byte[] {(byte) i};
    }

    @Override public String kind() { return "byte"; }

    @Override public int vocabSize() { return 256; }

    @Override
    public int[] encode(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xFF;
        return ids;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id > 255) throw new IllegalArgumentException("token " + id + " outside the byte vocabulary 0..255");
        return BYTES[id].clone();
    }
}
