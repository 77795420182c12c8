package io.mohge.data;

import io.mohge.json.JsonRecords;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte-level BPE (Sennrich et al. 2016; byte-level variant of GPT-2, Radford et al. 2019).
 *
 * <p>Ids 0..255 are single bytes; merge {@code i} (0-based) joins the adjacent pair {@code merges[i]} into the
 * new id {@code 256 + i}. Encoding pretokenizes ({@link Pretokenizer}), then inside each chunk repeatedly applies
 * the earliest-learned merge present, left to right, which reproduces the training merges exactly. Trained by
 * {@link BpeTrainer}. Saved as JSON: {@code {"kind":"bpe","version":1,"vocab_size":N,"merges":[[a,b],...]}}.
 */
public final class BpeTokenizer implements TextTokenizer {

    /** Name of the tokenizer file next to the shards. */
    public static final String FILE_NAME = "tokenizer-bpe.json";
    private static final int CACHE_LIMIT = 200_000;
    private static final String KIND = "bpe";
    private static final int VERSION = 1;

    private final int[][] merges;
    private final byte[][] bytes;
    private final Map<Long, Integer> rank = new HashMap<>();
    private final Map<String, int[]> cache = new HashMap<>();

    /** @param merges pairs {@code [a, b]} in learning order; {@code a, b < 256 + index} */
    public BpeTokenizer(List<int[]> merges) {
        this.merges = merges.toArray(new int[0][]);
        this.bytes = new byte[256 + this.merges.length][];
        for (int i = 0; i < 256; i++) bytes[i] = new byte[] {(byte) i};
        for (int i = 0; i < this.merges.length; i++) {
            int[] m = this.merges[i];
            int id = 256 + i;
            if (m.length != 2 || m[0] < 0 || m[1] < 0 || m[0] >= id || m[1] >= id) {
                throw new IllegalArgumentException("merge " + i + " must join two earlier ids below " + id);
            }
            byte[] joined = new byte[bytes[m[0]].length + bytes[m[1]].length];
            System.arraycopy(bytes[m[0]], 0, joined, 0, bytes[m[0]].length);
            System.arraycopy(bytes[m[1]], 0, joined, bytes[m[0]].length, bytes[m[1]].length);
            bytes[id] = joined;
            rank.put(key(m[0], m[1]), i);
        }
    }

    static long key(int a, int b) { return ((long) a << 32) | (b & 0xFFFFFFFFL); }

    @Override public String kind() { return "bpe"; }

    @Override public int vocabSize() { return bytes.length; }

    /** Merges in learning order (copies). */
    public List<int[]> merges() {
        List<int[]> out = new ArrayList<>();
        for (int[] m : merges) out.add(m.clone());
        return out;
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= bytes.length) {
            throw new IllegalArgumentException("token " + id + " outside the BPE vocabulary 0.." + (bytes.length - 1));
        }
        return bytes[id].clone();
    }

    @Override
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int total = 0;
        for (String chunk : Pretokenizer.split(text)) {
            int[] ids = encodeChunk(chunk);
            parts.add(ids);
            total += ids.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private synchronized int[] encodeChunk(String chunk) {
        int[] cached = cache.get(chunk);
        if (cached != null) return cached;
        byte[] b = chunk.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[b.length];
        for (int i = 0; i < b.length; i++) sym[i] = b[i] & 0xFF;
        int n = sym.length;
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Integer r = rank.get(key(sym[i], sym[i + 1]));
                if (r != null && r < best) best = r;
            }
            if (best == Integer.MAX_VALUE) break;
            n = mergeInPlace(sym, n, merges[best][0], merges[best][1], 256 + best);
        }
        int[] ids = java.util.Arrays.copyOf(sym, n);
        if (cache.size() >= CACHE_LIMIT) cache.clear();
        cache.put(chunk, ids);
        return ids;
    }

    /** Replaces every non-overlapping occurrence of (a, b), left to right, by {@code id}; returns the new length. */
    static int mergeInPlace(int[] sym, int n, int a, int b, int id) {
        int w = 0;
        for (int r = 0; r < n; r++) {
            if (r + 1 < n && sym[r] == a && sym[r + 1] == b) {
                sym[w++] = id;
                r++;
            } else {
                sym[w++] = sym[r];
            }
        }
        return w;
    }

    /** Writes the JSON form atomically to {@code file}. */
    public void save(DataLocation file) throws IOException {
        file.writeAtomically(JsonRecords.writeCompact(new Stored(KIND, VERSION, vocabSize(), merges)).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a tokenizer written by {@link #save}; a damaged file gives a {@link ShardFormatException} naming it. */
    public static BpeTokenizer load(DataLocation file) throws IOException {
        if (!file.fs().exists(file.path())) throw new ShardFormatException(file.toString(), "tokenizer file missing");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (var in = file.fs().open(file.path())) {
            in.transferTo(buf);
        }
        try {
            Stored s = JsonRecords.read(buf.toString(StandardCharsets.UTF_8), Stored.class);
            BpeTokenizer t = new BpeTokenizer(List.of(s.merges()));
            if (t.vocabSize() != s.vocabSize()) {
                throw new ShardFormatException(file.toString(), "vocab_size " + s.vocabSize() + " but "
                        + s.merges().length + " merges");
            }
            return t;
        } catch (IllegalArgumentException bad) { // JSON, the Stored record or the merges themselves
            throw new ShardFormatException(file.toString(), bad.getMessage() + "; prepare the dataset again");
        }
    }

    /** The JSON form: {@code {"kind": "bpe", "version": 1, "vocab_size": V, "merges": [[a, b], ...]}}. */
    private record Stored(String kind, Integer version, Integer vocabSize, int[][] merges) {
        Stored {
            if (!KIND.equals(kind) || !Integer.valueOf(VERSION).equals(version)) {
                throw new IllegalArgumentException("kind, version: expected \"" + KIND + "\", " + VERSION + ", got "
                        + (kind == null ? "none" : "\"" + kind + "\"") + ", " + version + "; not a version " + VERSION
                        + " BPE tokenizer file");
            }
            if (vocabSize == null) throw new IllegalArgumentException("vocab_size: missing");
            if (merges == null) throw new IllegalArgumentException("merges: missing");
        }
    }
}
