package io.mohge.generate;

import io.mohge.config.BadInputException;
import io.mohge.engine.Decoder;
import io.mohge.engine.Sampler;
import io.mohge.engine.Transformer;

import io.mohge.train.ExpertCache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Autoregressive generation on the engine's {@link Decoder}: the prompt is fed once, then every new token costs
 * one position. Past seq_len tokens each token attends to the newest seq_len positions (the decoder's sliding
 * window). For a routed model every token's expert sets go through the given expert-cache simulations
 * ({@link ExpertCache}) and are counted for the expert-set switch rate.
 */
public final class Generator {

    /** What a call produced: the new token ids and the time spent producing them. */
    public record Result(int[] tokens, long nanos) {
        public double tokensPerSecond() {
            return nanos == 0 ? 0 : tokens.length / (nanos * 1e-9);
        }
    }

    private final Decoder decoder;
    private final List<ExpertCache> caches = new ArrayList<>();
    private int[][] previous;              // the last token's expert sets [layer][K], sorted
    private long pairs;
    private long setSwitches;

    public Generator(Transformer model) {
        this.decoder = model.decoder();
    }

    /** Also simulates these expert caches over every fed token (prompt and generated). */
    public Generator withCaches(List<ExpertCache> c) {
        caches.addAll(c);
        return this;
    }

    /** Share of consecutive fed tokens whose expert set differs, over all routed layers (NaN before two tokens). */
    public double setSwitchRate() {
        return pairs == 0 ? Double.NaN : (double) setSwitches / pairs;
    }

    private double[] feed(int token) {
        double[] logits = decoder.next(token);
        int[][] sets = decoder.expertSets();
        for (int i = 0; i < sets.length; i++) {
            for (ExpertCache cache : caches) cache.access(i, sets[i], 0, sets[i].length);
            Arrays.sort(sets[i]);
            if (previous != null) {
                pairs++;
                if (!Arrays.equals(sets[i], previous[i])) setSwitches++;
            }
        }
        for (ExpertCache cache : caches) cache.token();
        previous = sets.length == 0 ? null : sets;
        return logits;
    }

    /**
     * @param prompt    at least one token id
     * @param stopToken generation ends after this token (-1: never)
     * @param onToken   called with every new token as soon as it is chosen
     */
    public Result generate(int[] prompt, int maxNewTokens, Sampler sampler, int stopToken, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("prompt: at least one token is needed");
        if (maxNewTokens < 0) throw new BadInputException("--max-new-tokens must be 0 or more");
        long start = System.nanoTime();
        decoder.reset();
        previous = null;
        double[] logits = null;
        for (int t : prompt) logits = feed(t);
        int[] out = new int[maxNewTokens];
        int n = 0;
        while (n < maxNewTokens) {
            int next = sampler.next(logits);
            out[n++] = next;
            onToken.accept(next);
            if (next == stopToken || n == maxNewTokens) break;
            logits = feed(next);
        }
        return new Result(java.util.Arrays.copyOf(out, n), System.nanoTime() - start);
    }
}
