package io.mohge.train;

import io.mohge.model.ModelConfig;
import io.mohge.model.ParamCount;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * Training FLOPs per token and model FLOPs utilisation (MFU, Chowdhery et al. 2022, "PaLM", appendix B):
 * <pre>
 *   flops/token = 6 * N_active + 12 * L * d * T
 *   MFU         = flops/token * tokens/s / peak
 * </pre>
 * N_active counts the weights one token multiplies by, excluding the input embedding: per layer attention
 * 4 d^2, norms, the routers, shared experts, the routed experts the token actually went to (3 d x the summed
 * width of its experts, measured from tokens-per-expert: with heterogeneous widths the active size depends
 * on the routing) or the dense FFN 3 d w; plus the LM head d V. The second term is the
 * attention score and value matmuls for a sequence of T tokens. Peak is measured ({@link #measurePeak}).
 */
public final class Flops {

    private Flops() { }

    /**
     * Active (non-embedding) parameters per token: the model's own count ({@link ParamCount}) without the
     * embedding row, with the routed experts replaced by the measured routed width.
     *
     * @param routedWidthPerToken summed FFN width of the routed experts a token uses, averaged over tokens
     *                            (ignored for a dense FFN); see {@link #routedWidthPerToken}
     */
    public static double activeParams(ModelConfig m, double routedWidthPerToken) {
        Map<ParamCount.Component, Double> active = ParamCount.of(m).active();
        double sum = 0;
        for (Map.Entry<ParamCount.Component, Double> e : active.entrySet()) {
            if (e.getKey() != ParamCount.Component.EMBEDDING && e.getKey() != ParamCount.Component.ROUTED_EXPERTS) {
                sum += e.getValue();
            }
        }
        if (m.ffn() != ModelConfig.FfnType.DENSE) sum += m.nLayers() * 3.0 * m.dModel() * routedWidthPerToken;
        return sum;
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
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0); // warm-up (gemm: mmuli into a c-order result is 5x slower)
        long best = Long.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return 2.0 * n * n * n / (Math.max(best, 1) * 1e-9);
    }
}
