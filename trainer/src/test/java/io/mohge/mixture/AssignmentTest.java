package io.mohge.mixture;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignmentTest {

    @Test
    void randomStartIsBalancedAndAFunctionOfTheSeed() {
        for (int r : new int[] {2, 3, 4, 7}) {
            byte[] a = Assignment.randomBalanced(1001, r, 42);
            int[] c = Assignment.counts(a, r);
            int min = java.util.Arrays.stream(c).min().orElseThrow();
            int max = java.util.Arrays.stream(c).max().orElseThrow();
            assertTrue(max - min <= 1, "shares differ by at most one: " + java.util.Arrays.toString(c));
            assertArrayEquals(a, Assignment.randomBalanced(1001, r, 42));
            assertFalse(java.util.Arrays.equals(a, Assignment.randomBalanced(1001, r, 43)), "another seed, another split");
        }
        // not a round-robin in index order: neighbours are mixed
        byte[] a = Assignment.randomBalanced(100, 2, 1);
        int same = 0;
        for (int i = 0; i + 1 < a.length; i++) if (a[i] == a[i + 1]) same++;
        assertTrue(same > 20 && same < 80, "shuffled: " + same);
    }

    @Test
    void withoutCapacityEverySequenceTakesItsBestRouterAndTiesGoLow() {
        double[][] s = {{-3, -1, -2}, {-1, -1, -5}, {-9, -8, -7}};
        assertArrayEquals(new byte[] {1, 0, 2}, Assignment.balanced(s, 3));
    }

    @Test
    void capacityKeepsTheMostDecidedSequencesWithTheirBestRouter() {
        // all four prefer router 0; capacity 2: the two with the largest margins keep it, the others take router 1
        double[][] s = {{-1, -1.1}, {-1, -5}, {-1, -1.5}, {-1, -9}};
        assertArrayEquals(new byte[] {1, 0, 1, 0}, Assignment.balanced(s, 2));
    }

    @Test
    void capacityBoundsEveryShareAndIsDeterministic() {
        Random rnd = new Random(3);
        int n = 999;
        int r = 4;
        double[][] s = new double[n][r];
        for (double[] row : s) {
            for (int k = 0; k < r; k++) row[k] = -rnd.nextDouble() * (k == 0 ? 1 : 3);   // router 0 is everyone's favourite
        }
        int cap = Assignment.capacity(n, r, 1.0);
        assertEquals(250, cap);
        byte[] a = Assignment.balanced(s, cap);
        for (int c : Assignment.counts(a, r)) assertTrue(c <= cap, "share " + c + " within capacity " + cap);
        assertEquals(cap, Assignment.counts(a, r)[0], "the favourite fills up");
        assertArrayEquals(a, Assignment.balanced(s, cap));
        assertEquals(375, Assignment.capacity(n, r, 1.5));
        assertEquals(n, Assignment.capacity(n, r, 100));
        assertEquals(2, Assignment.capacity(3, 2, 1.0));
    }

    @Test
    void changedCountsMovedSequencesAndBadScoresAreRefused() {
        assertEquals(2, Assignment.changed(new byte[] {0, 1, 2, 0}, new byte[] {0, 2, 1, 0}));
        assertThrows(IllegalArgumentException.class, () -> Assignment.balanced(new double[][] {{Double.NaN, 0}}, 1));
        assertThrows(IllegalArgumentException.class, () -> Assignment.balanced(new double[][] {{0, 0}, {0, 0}, {0, 0}}, 1));
    }
}
