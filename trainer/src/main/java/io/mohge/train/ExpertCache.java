package io.mohge.train;

import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;

import java.util.Arrays;

/**
 * Expert-cache simulation for serving a model whose experts do not all fit in fast memory (expert offloading,
 * docs/temporal.md). Each routed layer keeps {@code capacity} experts resident, least recently used out
 * first; tokens arrive one after another, and every expert a token's set needs that is not resident is loaded
 * (one load of that expert's weights: 3 x d_model x width values), evicting the least recently used one when the
 * layer's cache is full. A token that keeps the previous token's expert set never loads. The caches start empty and
 * are never flushed, so a trace of several sequences is simulated as one stream, like a server would see it.
 */
public final class ExpertCache {

    private final int capacity;
    private final long[] expertBytes;     // [E] bytes of one load of expert e
    private final int[][] resident;       // [layers][capacity] expert ids, most recently used first
    private final int[] size;             // [layers] resident experts
    private long loads;
    private long bytes;
    private long tokens;

    /**
     * @param capacity    experts resident per layer, at least 1
     * @param expertBytes [E] bytes moved by one load of each expert
     */
    public ExpertCache(int layers, int capacity, long[] expertBytes) {
        if (capacity < 1) throw new IllegalArgumentException("cache size: at least 1 expert per layer, got " + capacity);
        this.capacity = capacity;
        this.expertBytes = expertBytes.clone();
        this.resident = new int[layers][capacity];
        this.size = new int[layers];
    }

    /** Bytes of one load of each routed expert of {@code m}, at {@code bytesPerValue} bytes per weight. */
    public static long[] expertBytes(ModelConfig m, int bytesPerValue) {
        FfnSpec.Routed spec = (FfnSpec.Routed) m.ffnSpec();
        long[] out = new long[spec.experts()];
        for (int e = 0; e < out.length; e++) out[e] = 3L * m.dModel() * spec.width(e) * bytesPerValue;
        return out;
    }

    /** The cache sizes reported by default: a quarter and a half of the experts (at least 1). */
    public static int[] defaultSizes(int experts) {
        return Arrays.stream(new int[] {Math.max(1, experts / 4), Math.max(1, experts / 2)}).distinct().toArray();
    }

    public int capacity() {
        return capacity;
    }

    /** One token's experts {@code experts[from .. from + k)} in layer {@code layer}: loads the missing ones. */
    public void access(int layer, int[] experts, int from, int k) {
        int[] cache = resident[layer];
        for (int j = from; j < from + k; j++) {
            int e = experts[j];
            int at = -1;
            for (int i = 0; i < size[layer]; i++) {
                if (cache[i] == e) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {                                         // miss: load it, evicting the last if full
                loads++;
                bytes += expertBytes[e];
                at = size[layer] < capacity ? size[layer]++ : capacity - 1;
            }
            System.arraycopy(cache, 0, cache, 1, at);            // move to the front (most recently used)
            cache[0] = e;
        }
    }

    /** Counts one token (call once per position, after its layers' {@link #access} calls). */
    public void token() {
        tokens++;
    }

    /**
     * Feeds a forward's routing trace: positions in order, sequence after sequence, every layer.
     *
     * @param expertSets [layers][B*T*K] each position's experts
     */
    public void feed(int[][] expertSets, int positions) {
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < expertSets.length; i++) {
                int k = expertSets[i].length / positions;
                access(i, expertSets[i], p * k, k);
            }
            token();
        }
    }

    public long loads() {
        return loads;
    }

    public long bytes() {
        return bytes;
    }

    public long tokens() {
        return tokens;
    }

    /** Expert loads per token, summed over layers. */
    public double loadsPerToken() {
        return tokens == 0 ? Double.NaN : (double) loads / tokens;
    }

    /** Bytes moved per token, summed over layers. */
    public double bytesPerToken() {
        return tokens == 0 ? Double.NaN : (double) bytes / tokens;
    }
}
