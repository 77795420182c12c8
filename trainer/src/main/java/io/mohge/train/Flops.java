package io.mohge.train;

import io.mohge.model.ModelConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training FLOPs per token and model FLOPs utilisation (MFU, Chowdhery et al. 2022, "PaLM", appendix B):
 * <pre>
 *   flops/token = 6 * N_active + 12 * L * d * T
 *   MFU         = flops/token * tokens/s / peak
 * </pre>
 * N_active counts the weights one token multiplies by, excluding the input embedding: per layer attention
 * 4 d^2, the router d (G + E), shared experts 3 d w each, the routed experts the token actually went to
 * (3 d x the summed width of its experts, measured from tokens-per-expert: with heterogeneous widths the
 * active size depends on the routing) or the dense FFN 3 d w; plus the LM head d V. The second term is the
 * attention score and value matmuls for a sequence of T tokens. Peak is measured ({@link #measurePeak}).
 */
public final class Flops {

    private Flops() { }

    /**
     * Active (non-embedding) parameters per token.
     *
     * @param routedWidthPerToken summed FFN width of the routed experts a token uses, averaged over tokens
     *                            (ignored for a dense FFN); see {@link #routedWidthPerToken}
     */
    public static double activeParams(ModelConfig m, double routedWidthPerToken) {
        double d = m.dModel();
        double perLayer = 4 * d * d;
        perLayer += switch (m.ffn()) {
            case DENSE -> 3 * d * m.dense().width();
            case MOE -> d * m.moe().experts() + 3 * d * routedWidthPerToken;
            case MOHGE -> d * (m.mohge().groups() + m.mohge().experts()) + 3 * d * routedWidthPerToken;
        };
        perLayer += 3 * d * m.shared().width() * (double) m.shared().count();
        return m.nLayers() * perLayer + d * m.vocabSize();
    }

    /** The routed width per token under uniform routing: top_k times the mean expert width. */
    public static double uniformRoutedWidth(ModelConfig m) {
        return switch (m.ffn()) {
            case DENSE -> 0;
            case MOE -> (double) m.moe().topK() * m.moe().width();
            case MOHGE -> m.mohge().topK() * m.mohge().widths().stream().mapToInt(Integer::intValue).average().orElse(0);
        };
    }

    /**
     * Measured routed width per token of one layer: sum_e n_e s_e / tokens.
     *
     * @param tokensPerExpert [E] assignments per logical expert
     * @param widths          [E] width of each logical expert
     * @param tokens          tokens that went through the layer
     */
    public static double routedWidthPerToken(long[] tokensPerExpert, int[] widths, long tokens) {
        double sum = 0;
        for (int e = 0; e < tokensPerExpert.length; e++) sum += (double) tokensPerExpert[e] * widths[e];
        return tokens == 0 ? 0 : sum / tokens;
    }

    /** Training FLOPs per token: 6 N_active + 12 L d T. */
    public static double perToken(ModelConfig m, double routedWidthPerToken) {
        return 6 * activeParams(m, routedWidthPerToken) + 12.0 * m.nLayers() * m.dModel() * m.seqLen();
    }

    /**
     * Peak float32 FLOP/s of this process, measured as the best of several n x n matrix products (2 n^3 FLOPs
     * each) at the current ND4J thread setting. About 0.2-0.5 s.
     */
    public static double measurePeak(int n, int repeats) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        a.mmuli(b, c); // warm-up
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            a.mmuli(b, c);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * n * n * n / (Math.max(best, 1) * 1e-9);
    }
}
