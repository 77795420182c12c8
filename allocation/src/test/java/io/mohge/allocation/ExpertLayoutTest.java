package io.mohge.allocation;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExpertLayoutTest {

    private static final ExpertLayout REF = AllSizeDecoupledStrategyTest.REF;

    @Test
    void logicalIndexIsGTimesNPlusJ() {
        assertEquals(64, REF.experts());
        assertEquals(8, REF.groups());
        assertEquals(8 * 3 + 5, REF.logicalIndex(3, 5));
        assertEquals(3, REF.groupOf(29));
        assertEquals(768, REF.expertWidth(29));
        ExpertLayout moe = ExpertLayout.uniform(64, 1024);
        assertEquals(1, moe.groups());
        assertEquals(64, moe.experts());
        assertEquals(1024, moe.expertWidth(63));
    }

    @Test
    void validRankCountsAreTheDivisorsOfE() {
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64), REF.validRankCounts());
        assertEquals(List.of(1, 2, 3, 6), new ExpertLayout(List.of(10, 20, 30), 2).validRankCounts());
    }

    @Test
    void ranksNotDividingEListsValidCounts() {
        assertEquals("ranks: 3 does not divide the 64 routed experts, so ranks would hold different numbers of "
                + "experts; choose one of 1, 2, 4, 8, 16, 32, 64 for E = 64 experts", message(() -> REF.checkRanks(3)));
        // every strategy refuses the same way
        for (AllocationConfig.Strategy s : AllocationConfig.Strategy.values()) {
            assertEquals(message(() -> REF.checkRanks(6)), message(() -> PlacementStrategy.of(s).place(REF, 6)));
        }
    }

    @Test
    void ranksAboveEAndBelowOneAreRefused() {
        assertEquals("ranks: 128 is more than the 64 routed experts, so some rank would hold no expert; choose one "
                + "of 1, 2, 4, 8, 16, 32, 64 for E = 64 experts", message(() -> REF.checkRanks(128)));
        assertEquals("ranks: must be 1 or more, got 0; choose one of 1, 2, 4, 8, 16, 32, 64 for E = 64 experts",
                message(() -> new ContiguousStrategy().place(REF, 0)));
    }

    @Test
    void badWidthsAndGroupSizeAreRefused() {
        assertEquals("widths: must not decrease from the first group to the last (s_0 <= s_1 <= ...), got "
                + "[512, 384]; sort them ascending", message(() -> new ExpertLayout(List.of(512, 384), 2)));
        assertEquals("widths: every width must be a positive integer, got [0, 384]",
                message(() -> new ExpertLayout(List.of(0, 384), 2)));
        assertEquals("widths: every width must be a positive integer, got [384, null]",
                message(() -> new ExpertLayout(Arrays.asList(384, null), 2)));
        assertEquals("widths: need one width per group (at least one group), got []",
                message(() -> new ExpertLayout(List.of(), 2)));
        assertEquals("experts_per_group: must be 1 or more, got 0",
                message(() -> new ExpertLayout(List.of(384), 0)));
    }

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
