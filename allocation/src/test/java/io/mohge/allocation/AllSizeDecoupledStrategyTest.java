package io.mohge.allocation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/method.md section 6 with the reference widths [384..1280], N = 8. */
class AllSizeDecoupledStrategyTest {

    static final ExpertLayout REF = new ExpertLayout(List.of(384, 512, 640, 768, 896, 1024, 1152, 1280), 8);
    private final PlacementStrategy decoupled = new AllSizeDecoupledStrategy();

    @Test
    void piPairsSmallestWithLargest() {
        assertArrayEquals(new int[] {0, 7, 1, 6, 2, 5, 3, 4}, AllSizeDecoupledStrategy.pi(8));
        assertArrayEquals(new int[] {0, 3, 1, 2}, AllSizeDecoupledStrategy.pi(4));
        assertArrayEquals(new int[] {0, 1}, AllSizeDecoupledStrategy.pi(2));
        assertArrayEquals(new int[] {0}, AllSizeDecoupledStrategy.pi(1));
    }

    @Test
    void physicalSlotIsJTimesGPlusPiInverse() {
        // pi^-1 for G = 8: group 0->0, 7->1, 1->2, 6->3, 2->4, 5->5, 3->6, 4->7
        int[] piInv = {0, 2, 4, 6, 7, 5, 3, 1};
        Placement p = decoupled.place(REF, 1);
        for (int g = 0; g < 8; g++) {
            for (int j = 0; j < 8; j++) {
                int slot = j * 8 + piInv[g];
                assertEquals(slot, p.physicalSlotOf(g * 8 + j), "expert (" + g + "," + j + ")");
                assertEquals(slot, AllSizeDecoupledStrategy.physicalSlot(REF, g, j));
                assertEquals(g * 8 + j, p.physicalOrder()[slot]);
            }
        }
        // rank r holds slots [r*E/EP, (r+1)*E/EP): at EP 4, rank 1 starts with slot 16 = (g 0, j 2)
        assertArrayEquals(new int[] {2, 58, 10, 50, 18, 42, 26, 34, 3, 59, 11, 51, 19, 43, 27, 35},
                decoupled.place(REF, 4).localExperts(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void identicalWidthMultisetPerRankWhenEpDividesN(int ep) {
        Placement p = decoupled.place(REF, ep);
        int[] expected = new int[64 / ep];
        for (int i = 0; i < expected.length; i++) expected[i] = REF.width(i / (8 / ep)); // N/EP of every width
        for (int r = 0; r < ep; r++) assertArrayEquals(expected, p.sortedWidths(r), "rank " + r);
        assertEquals(53_248L / ep, p.widthSum(0)); // sum(s) * N = 6656 * 8 = 53,248 over all ranks
    }

    @Test
    void summedWidth13312PerRankAtEp4() {
        Placement p = decoupled.place(REF, 4);
        for (int r = 0; r < 4; r++) assertEquals(13_312L, p.widthSum(r));
    }

    @Test
    void equalSummedWidthsAtEp16And32ThoughMultisetsDiffer() {
        Placement p16 = decoupled.place(REF, 16);
        for (int r = 0; r < 16; r++) assertEquals(3_328L, p16.widthSum(r), "EP 16 rank " + r);
        assertArrayEquals(new int[] {384, 512, 1152, 1280}, p16.sortedWidths(0));
        assertArrayEquals(new int[] {640, 768, 896, 1024}, p16.sortedWidths(1));
        Placement p32 = decoupled.place(REF, 32);
        for (int r = 0; r < 32; r++) assertEquals(1_664L, p32.widthSum(r), "EP 32 rank " + r);
    }

    @Test
    void ep64CannotBalanceParams() {
        Placement p = decoupled.place(REF, 64);
        assertEquals(384L, p.widthSum(0));
        assertEquals(1280L, p.widthSum(1));
    }

    @Test
    void equalWithinGroupLoadsGiveEqualComputeForAnyGroupSkew() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 50; trial++) {
            double[] shares = new double[8];
            for (int g = 0; g < 8; g++) shares[g] = Math.pow(rnd.nextDouble(), 3); // strongly skewed at random
            ExpertLoad load = ExpertLoad.groupSkewed(REF, shares, 10_000_000L);
            for (int ep : new int[] {1, 2, 4, 8}) {
                BalanceReport r = BalanceReport.of(decoupled.place(REF, ep), load);
                for (int k = 1; k < ep; k++) assertEquals(r.compute(0), r.compute(k), "trial " + trial + " EP " + ep);
                assertEquals(1.0, r.computeImbalance(), 0.0);
            }
        }
    }

    @Test
    void contiguousIsUnbalancedUnderTheSameSkewWithHandComputedRatio() {
        // tokens per expert of group g: 1000 * (8 - g). tokens x width per expert (thousands):
        // 3072, 3584, 3840, 3840, 3584, 3072, 2304, 1280. Contiguous at EP 4 puts groups (2r, 2r+1) on rank r:
        // rank sums 6656, 7680, 6656, 3584 (x 8 experts x 1000), mean 6144, so max/mean = 7680/6144 = 1.25.
        long[] t = new long[64];
        for (int l = 0; l < 64; l++) t[l] = 1000L * (8 - l / 8);
        ExpertLoad load = ExpertLoad.of(t, "test");
        BalanceReport contiguous = BalanceReport.of(new ContiguousStrategy().place(REF, 4), load);
        assertEquals(8_000L * 7680, contiguous.compute(1));
        assertEquals(8_000L * 3584, contiguous.compute(3));
        assertEquals(1.25, contiguous.computeImbalance(), 1e-12);
        BalanceReport dec = BalanceReport.of(decoupled.place(REF, 4), load);
        assertEquals(1.0, dec.computeImbalance(), 0.0);
        assertEquals(2_000L * 24_576, dec.compute(0)); // 2 experts of every group per rank
        // params: contiguous rank 3 holds groups 6, 7: 8 * (1152 + 1280) = 19,456 vs mean 53,248 / 4 = 13,312
        assertEquals(19_456.0 / 13_312, contiguous.paramImbalance(), 1e-12);
        assertEquals(1.0, dec.paramImbalance(), 0.0);
    }

    @Test
    void epAboveNIsPlacedAndReportedNotRefused() {
        // EP 16 > N = 8 divides E: allowed; group-skewed compute is then unequal and the report shows it
        ExpertLoad load = ExpertLoad.groupSkewed(REF, new double[] {8, 7, 6, 5, 4, 3, 2, 1}, 6_400_000L);
        BalanceReport r = BalanceReport.of(decoupled.place(REF, 16), load);
        assertEquals(1.0, r.paramImbalance(), 0.0);
        assertTrue(r.computeImbalance() > 1.0);
        assertNotEquals(r.compute(0), r.compute(1));
    }

    @Test
    void oddGroupCountIsRefusedWithAlternatives() {
        ExpertLayout odd = new ExpertLayout(List.of(128, 256, 384), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decoupled.place(odd, 2));
        assertEquals("groups: all-size-decoupled pairs the smallest group with the largest and needs an even number "
                + "of size groups, got G = 3; use an even G (or G = 1 for plain MoE), or strategy contiguous or greedy",
                e.getMessage());
        assertEquals(2, new ContiguousStrategy().place(odd, 2).ranks()); // the suggested alternatives work
        assertEquals(2, new GreedyBalancedStrategy().place(odd, 2).ranks());
    }

    @Test
    void plainMoeIsTheIdentityPlacement() {
        ExpertLayout moe = ExpertLayout.uniform(8, 256);
        Placement p = decoupled.place(moe, 4);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, p.physicalOrder());
        assertArrayEquals(new ContiguousStrategy().place(moe, 4).physicalOrder(), p.physicalOrder());
        assertArrayEquals(new int[] {2, 3}, p.localExperts(1));
    }
}
