package io.mohge.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The plain-Java router losses against values computed by hand from their formulas (docs/method.md 3, 4, 7). */
class RouterLossesTest {

    private static final List<Integer> REFERENCE_WIDTHS = List.of(384, 512, 640, 768, 896, 1024, 1152, 1280);

    @Test
    void costWeightsOfTheReferenceWidths() {
        assertArrayEquals(new double[] {1.0, 1.125, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875},
                RouterLosses.costWeights(REFERENCE_WIDTHS, 1024), 1e-12);
    }

    @Test
    void groupLossUnderUniformRoutingIsBetaTimesMeanCost() {
        // G = 8, K_g = 4, T = 1000 tokens: every group is chosen by T * K_g / G = 500 tokens, P_g = 1/8
        double[] p = new double[8];
        Arrays.fill(p, 1.0 / 8);
        long[] n = new long[8];
        Arrays.fill(n, 500);
        double[] c = RouterLosses.costWeights(REFERENCE_WIDTHS, 1024);
        RouterLosses.Term t = RouterLosses.groupAux(p, n, 1000, 4, c, 1e-5);
        assertEquals(1.4375e-5, t.value(), 1e-18);
        // dL/dP_g = beta * G * c_g * f_g, f_g = 500 / (1000 * 4) = 1/8: beta * c_g
        for (int g = 0; g < 8; g++) assertEquals(1e-5 * c[g], t.dP()[g], 1e-18);
    }

    @Test
    void groupLossRewardsMovingProbabilityToCheapGroups() {
        double[] c = RouterLosses.costWeights(List.of(100, 200), 100);           // c = [1, 2]
        long[] n = {50, 50};
        double cheap = RouterLosses.groupAux(new double[] {0.7, 0.3}, n, 100, 1, c, 1).value();
        double dear = RouterLosses.groupAux(new double[] {0.3, 0.7}, n, 100, 1, c, 1).value();
        // 2 * (1 * 0.7 * 0.5 + 2 * 0.3 * 0.5) = 1.3 and 2 * (0.15 + 0.7) = 1.7
        assertEquals(1.3, cheap, 1e-12);
        assertEquals(1.7, dear, 1e-12);
    }

    @Test
    void intraLossAtPerfectBalanceIsAlphaKgOverG() {
        // reference: G = 8, N = 8, E = 64, K_g = 4, K = 6; balanced: P_e = f_e = 1/64
        double[] p = new double[64];
        Arrays.fill(p, 1.0 / 64);
        long[] n = new long[64];
        Arrays.fill(n, 6 * 64 / 64 * 10);                                        // T = 640: T*K/E = 60 each
        RouterLosses.Term t = RouterLosses.intraAux(p, n, 640, 6, 8, 4, 5e-3);
        assertEquals(0.5 * 5e-3, t.value(), 1e-15);
        assertEquals(5e-3 * 8 * 4 / 64.0, t.dP()[17], 1e-15);
    }

    @Test
    void switchLossUnderUniformRoutingIsItsCoefficient() {
        double[] p = {0.25, 0.25, 0.25, 0.25};
        long[] n = {20, 20, 20, 20};                                            // T = 40, K = 2
        RouterLosses.Term t = RouterLosses.switchAux(p, n, 40, 2, 0.01);
        assertEquals(0.01, t.value(), 1e-15);
        assertEquals(0.01 * 4 * 20 / 80.0, t.dP()[0], 1e-15);
    }

    @Test
    void zLossAndItsGradient() {
        RouterLosses.Term t = RouterLosses.zLoss(new double[] {1.0, -2.0, 3.0}, 0.5);
        assertEquals(0.5 * (1 + 4 + 9) / 3, t.value(), 1e-15);
        assertArrayEquals(new double[] {2 * 0.5 * 1 / 3, 2 * 0.5 * -2 / 3, 2 * 0.5 * 3 / 3}, t.dP(), 1e-15);
    }

    @Test
    void mismatchedCountsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RouterLosses.switchAux(new double[3], new long[4], 10, 1, 1));
        assertEquals("router loss: 3 probabilities but 4 counts and 3 cost weights", e.getMessage());
    }
}
