package io.mohge.spark;

import java.io.Serializable;

/**
 * A flat gradient of {@code size} values cut into {@code count} contiguous blocks of nearly equal length: block b
 * covers {@code [b * size / count, (b + 1) * size / count)}.
 */
record GradientBlocks(long size, int count) implements Serializable {

    GradientBlocks {
        if (size < 1) throw new IllegalArgumentException("gradient blocks: size must be positive, got " + size);
        if (count < 1 || count > size) {
            throw new IllegalArgumentException("gradient blocks: count must lie in 1.." + size + ", got " + count);
        }
    }

    int start(int block) {
        check(block);
        return (int) (block * size / count);
    }

    int end(int block) {
        check(block);
        return (int) ((block + 1) * size / count);
    }

    /** A copy of block {@code b} of {@code flat}. */
    float[] slice(float[] flat, int block) {
        if (flat.length != size) throw new IllegalArgumentException("gradient of " + flat.length + " values for " + size);
        return java.util.Arrays.copyOfRange(flat, start(block), end(block));
    }

    /** Writes block {@code b}'s values into their place in {@code flat}. */
    void place(float[] blockValues, int block, float[] flat) {
        if (blockValues.length != end(block) - start(block)) {
            throw new IllegalArgumentException("block " + block + " has " + blockValues.length + " values, expected "
                    + (end(block) - start(block)));
        }
        System.arraycopy(blockValues, 0, flat, start(block), blockValues.length);
    }

    private void check(int block) {
        if (block < 0 || block >= count) throw new IndexOutOfBoundsException("block " + block + " of " + count);
    }
}
