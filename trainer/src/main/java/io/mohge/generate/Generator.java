package io.mohge.generate;

import io.mohge.engine.Decoder;
import io.mohge.engine.Sampler;
import io.mohge.engine.Transformer;

import java.util.function.IntConsumer;

/**
 * Autoregressive generation on the engine's {@link Decoder}: the prompt is fed once, then every new token costs
 * one position. Past seq_len tokens each token attends to the newest seq_len positions (the decoder's sliding
 * window).
 */
public final class Generator {

    /** What a call produced: the new token ids and the time spent producing them. */
    public record Result(int[] tokens, long nanos) {
        public double tokensPerSecond() {
            return nanos == 0 ? 0 : tokens.length / (nanos * 1e-9);
        }
    }

    private final Decoder decoder;

    public Generator(Transformer model) {
        this.decoder = model.decoder();
    }

    /**
     * @param prompt    at least one token id
     * @param stopToken generation ends after this token (-1: never)
     * @param onToken   called with every new token as soon as it is chosen
     */
    public Result generate(int[] prompt, int maxNewTokens, Sampler sampler, int stopToken, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("prompt: at least one token is needed");
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be 0 or more");
        long start = System.nanoTime();
        decoder.reset();
        double[] logits = null;
        for (int t : prompt) logits = decoder.next(t);
        int[] out = new int[maxNewTokens];
        int n = 0;
        while (n < maxNewTokens) {
            int next = sampler.next(logits);
            out[n++] = next;
            onToken.accept(next);
            if (next == stopToken || n == maxNewTokens) break;
            logits = decoder.next(next);
        }
        return new Result(java.util.Arrays.copyOf(out, n), System.nanoTime() - start);
    }
}
