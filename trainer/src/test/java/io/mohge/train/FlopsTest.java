package io.mohge.train;

import io.mohge.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlopsTest {

    private static ModelConfig mohge() {
        ModelConfig d = ModelConfig.DEFAULTS;
        return new ModelConfig(256, 32, 2, 2, 16, 1e4, 1e-6, 0.02, ModelConfig.FfnType.MOHGE, d.dense(), d.moe(),
                new ModelConfig.Mohge(2, 2, List.of(8, 24), 1, 2, ModelConfig.GroupScore.SIGMOID,
                        ModelConfig.GateMode.RENORMALISE),
                new ModelConfig.Shared(1, 16), d.router());
    }

    @Test
    void activeParamsFollowTheRouting() {
        ModelConfig m = mohge();
        // per layer: attention 4*32*32 = 4096, norms 2*32, router 32*(2+4) = 192, shared 3*32*16 = 1536,
        // routed 3*32*w; final norm 32, LM head 32*256 = 8192
        assertEquals(2 * (4096 + 64 + 192 + 1536 + 3 * 32 * 20.0) + 32 + 8192, Flops.activeParams(m, 20.0), 1e-9);
        // under uniform routing it is the model's own active count minus the embedding row
        assertEquals(io.mohge.model.ParamCount.of(m).activeParams() - 32,
                Flops.activeParams(m, Flops.uniformRoutedWidth(m)), 1e-6);
        assertEquals(2 * 16.0, Flops.uniformRoutedWidth(m), 1e-12); // top_k 2 x mean(8, 24)
        // 10 tokens, each to 2 experts: 12 assignments to width-8 experts, 8 to width-24 experts
        int[] widths = {8, 8, 24, 24};
        assertEquals((12 * 8 + 8 * 24) / 10.0, Flops.routedWidthPerToken(new long[]{6, 6, 5, 3}, widths, 10), 1e-12);
        assertEquals(6 * Flops.activeParams(m, 20.0) + 12.0 * 2 * 32 * 16, Flops.perToken(m, 20.0), 1e-9);
    }

    @Test
    void denseIgnoresRoutedWidth() {
        ModelConfig d = ModelConfig.DEFAULTS;
        ModelConfig m = new ModelConfig(256, 32, 1, 2, 16, 1e4, 1e-6, 0.02, ModelConfig.FfnType.DENSE,
                new ModelConfig.Dense(64), d.moe(), d.mohge(), d.shared(), d.router());
        assertEquals(4096 + 64 + 3 * 32 * 64 + 32 + 8192, Flops.activeParams(m, 999), 1e-9);
    }

    @Test
    void measuredPeakAgreesWithAnIndependentlyTimedProduct() {
        int n = 512;
        org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray c = a.ulike();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            org.nd4j.linalg.factory.Nd4j.gemm(a, a, c, false, false, 1.0, 0.0);
            best = Math.min(best, System.nanoTime() - t0);
        }
        double timed = 2.0 * n * n * n / (best * 1e-9);      // an n^3 product is 2 n^3 FLOPs
        double peak = Flops.measurePeak(n, 6);
        // a wrong FLOP count (e.g. n^3) or timing unit would be off by 2x or more; machine noise is far less
        assertTrue(peak > timed / 1.5 && peak < timed * 1.5, "measurePeak " + peak + " vs timed " + timed);
    }
}
