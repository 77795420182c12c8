package io.mohge.tensors;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfFloatsTest {

    @Test
    void f16KnownEncodings() {
        assertEquals(0x3C00, HalfFloats.toF16(1.0f) & 0xFFFF);
        assertEquals(0xC000, HalfFloats.toF16(-2.0f) & 0xFFFF);
        assertEquals(0x7BFF, HalfFloats.toF16(65504f) & 0xFFFF);          // largest finite
        assertEquals(0x7C00, HalfFloats.toF16(65520f) & 0xFFFF);          // halfway past max rounds to inf
        assertEquals(0x7BFF, HalfFloats.toF16(65519f) & 0xFFFF);
        assertEquals(0x0001, HalfFloats.toF16(0x1p-24f) & 0xFFFF);        // smallest subnormal
        assertEquals(0x0000, HalfFloats.toF16(0x1p-25f) & 0xFFFF);        // tie to even: zero
        assertEquals(0x0001, HalfFloats.toF16(0x1.8p-25f) & 0xFFFF);      // above the tie
        assertEquals(0x0400, HalfFloats.toF16(0x1p-14f) & 0xFFFF);        // smallest normal
        assertEquals(0x3555, HalfFloats.toF16(1f / 3f) & 0xFFFF);
        assertEquals(0x8000, HalfFloats.toF16(-0.0f) & 0xFFFF);
        assertEquals(0xFC00, HalfFloats.toF16(Float.NEGATIVE_INFINITY) & 0xFFFF);
        assertTrue(Float.isNaN(HalfFloats.fromF16(HalfFloats.toF16(Float.NaN))));
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0); 1 + 3*2^-11 ties up to 1 + 2^-9
        assertEquals(0x3C00, HalfFloats.toF16(1f + 0x1p-11f) & 0xFFFF);
        assertEquals(0x3C02, HalfFloats.toF16(1f + 3 * 0x1p-11f) & 0xFFFF);
    }

    @Test
    void f16RoundTripsEveryHalfValue() {
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfFloats.fromF16((short) h);
            if (Float.isNaN(f)) continue;
            assertEquals(h, HalfFloats.toF16(f) & 0xFFFF, "half bits " + Integer.toHexString(h));
        }
    }

    @Test
    void f16PicksTheNearestValue() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) ((rnd.nextDouble() * 2 - 1) * Math.pow(2, rnd.nextInt(-26, 16)));
            int h = HalfFloats.toF16(f) & 0xFFFF;
            double err = Math.abs(f - (double) HalfFloats.fromF16((short) h));
            for (int n : new int[]{h - 1, h + 1}) {
                float neighbour = HalfFloats.fromF16((short) n);
                if (Float.isFinite(neighbour) && ((n ^ h) & 0x8000) == 0) {
                    assertTrue(err <= Math.abs(f - (double) neighbour), "value " + f + " encoded as "
                            + Integer.toHexString(h) + " but " + Integer.toHexString(n) + " is closer");
                }
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3F80, HalfFloats.toBF16(1.0f) & 0xFFFF);
        assertEquals(0x3F80, HalfFloats.toBF16(1f + 0x1p-8f) & 0xFFFF);     // tie, even stays
        assertEquals(0x3F82, HalfFloats.toBF16(1f + 3 * 0x1p-8f) & 0xFFFF); // tie, rounds up to even
        assertEquals(0x3F81, HalfFloats.toBF16(1f + 0x1.2p-8f) & 0xFFFF);   // above the tie
        assertEquals(0xC049, HalfFloats.toBF16(-3.14159f) & 0xFFFF);
        assertEquals(0x7F80, HalfFloats.toBF16(Float.MAX_VALUE) & 0xFFFF);  // rounds to infinity
        assertTrue(Float.isNaN(HalfFloats.fromBF16(HalfFloats.toBF16(Float.NaN))));
        for (int b = 0; b < 0x10000; b++) {
            float f = HalfFloats.fromBF16((short) b);
            if (!Float.isNaN(f)) assertEquals(b, HalfFloats.toBF16(f) & 0xFFFF);
        }
    }
}
