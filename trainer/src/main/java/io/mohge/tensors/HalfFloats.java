package io.mohge.tensors;

/**
 * Conversions between float32 and the 16-bit formats of safetensors, with IEEE round-to-nearest-even.
 *
 * <ul>
 *   <li>F16 (IEEE 754 binary16): 1 sign, 5 exponent (bias 15), 10 mantissa bits; max 65504, subnormals down
 *       to 2^-24. Values beyond the range round to infinity, as IEEE requires.</li>
 *   <li>BF16 (bfloat16): the upper 16 bits of a float32, rounded to nearest even; NaN stays a quiet NaN.</li>
 * </ul>
 * Java 17 has no {@code Float.floatToFloat16} (it arrived in Java 20), hence this class.
 */
public final class HalfFloats {

    private HalfFloats() { }

    /** float32 to binary16 bits, rounding to nearest even. */
    public static short toF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) { // infinity or NaN (keep NaN a quiet NaN)
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15; // rebiased exponent
        if (e >= 0x1F) return (short) (sign | 0x7C00); // too large even before rounding: infinity
        if (e <= 0) { // result is subnormal or zero: value = m_h * 2^-24
            if (e < -10) return (short) sign; // below 2^-25: rounds to (signed) zero
            int full = mant | 0x800000;       // implicit leading 1
            int shift = 14 - e;               // 14..24
            int half = full >> shift;
            int rem = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (half & 1) == 1)) half++; // may become the smallest normal
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) half++; // a carry may reach infinity: correct
        return (short) (sign | half);
    }

    /** binary16 bits to float32 (exact). */
    public static float fromF16(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            float magnitude = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** float32 to bfloat16 bits, rounding to nearest even. */
    public static short toBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** bfloat16 bits to float32 (exact). */
    public static float fromBF16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
