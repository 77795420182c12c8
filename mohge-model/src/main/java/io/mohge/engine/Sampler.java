package io.mohge.engine;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits, with the conventions of the export's PyTorch {@code sample_next}:
 * temperature 0 is greedy (ties: the lowest id); otherwise softmax(logits / temperature) restricted to the
 * {@code topK} most likely ids (0 = all), then to the smallest most-likely set whose probability reaches
 * {@code topP} (1 = all), renormalised, one draw from a generator seeded with {@code seed}.
 */
public final class Sampler {

    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    public Sampler(double temperature, int topK, double topP, long seed) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be 0 (greedy) or a positive number, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("--top-k must be 0 (all) or more, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must lie in (0, 1], got " + topP);
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** Greedy decoding. */
    public static Sampler greedy() {
        return new Sampler(0, 0, 1, 0);
    }

    public int next(double[] logits) {
        if (temperature == 0) return argmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> logits[b] != logits[a] ? Double.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int keep = topK > 0 ? Math.min(topK, logits.length) : logits.length;
        double max = logits[order[0]] / temperature;
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / temperature - max);
            sum += p[i];
        }
        double before = 0;
        int kept = 0;
        while (kept < keep && before < topP * sum) before += p[kept++];   // drop ids whose preceding mass >= top_p
        double draw = random.nextDouble() * before;
        for (int i = 0; i < kept; i++) {
            draw -= p[i];
            if (draw < 0) return order[i];
        }
        return order[kept - 1];
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
