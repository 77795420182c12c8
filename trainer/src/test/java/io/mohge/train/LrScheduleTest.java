package io.mohge.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {

    @Test
    void warmupThenCosineToMin() {
        // lr 1e-3 -> 1e-4, 4 warmup steps, 14 steps: cosine covers steps 4..14 (10 intervals)
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 4, 14);
        assertEquals(2.5e-4, s.at(1), 1e-18);
        assertEquals(5.0e-4, s.at(2), 1e-18);
        assertEquals(1.0e-3, s.at(4), 1e-18);
        // step 5: progress 0.1, 1e-4 + 9e-4 * (1 + cos(0.1 pi)) / 2 = 1e-4 + 9e-4 * 0.9755282581475768
        assertEquals(9.779754323328192e-4, s.at(5), 1e-15);
        assertEquals(5.5e-4, s.at(9), 1e-15);              // halfway: mean of lr and min_lr
        assertEquals(1.2202456766718093e-4, s.at(13), 1e-15);
        assertEquals(1.0e-4, s.at(14), 0.0);
        assertEquals(1.0e-4, s.at(20), 0.0);
    }

    @Test
    void noWarmupStartsBelowPeakAndDecreases() {
        LrSchedule s = new LrSchedule(3e-4, 3e-5, 0, 100);
        double prev = Double.MAX_VALUE;
        for (int step = 1; step <= 100; step++) {
            double lr = s.at(step);
            assertEquals(true, lr < prev && lr >= 3e-5, "step " + step);
            prev = lr;
        }
        assertEquals(3e-5 + 2.7e-4 * 0.5 * (1 + Math.cos(Math.PI / 100)), s.at(1), 1e-18);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 2e-3, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 1e-4, 10, 10));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule(1e-3, 1e-4, 1, 10).at(0));
    }
}
