package io.mohge.tensors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * A dense float tensor in row-major (C) order: the unit that checkpoints and exports store.
 *
 * @param shape dimensions, outermost first (empty for a scalar)
 * @param data  row-major values; {@code data.length} equals the product of {@code shape}
 */
public record FloatTensor(long[] shape, float[] data) {

    public FloatTensor {
        if (shape == null || data == null) throw new IllegalArgumentException("shape and data must not be null");
        shape = shape.clone();
        if (elementCount(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + elementCount(shape)
                    + " values but data has " + data.length);
        }
    }

    /** A copy of {@code array} in C order as float32 (views and other orders are handled). */
    public static FloatTensor of(INDArray array) {
        INDArray c = array.castTo(DataType.FLOAT).dup('c');
        return new FloatTensor(c.shape(), c.data().asFloat());
    }

    /** A new float32 INDArray in C order holding a copy of this tensor. */
    public INDArray toINDArray() {
        return Nd4j.create(data.clone(), shape, 'c');
    }

    /** The transpose of a matrix: {@code [r, c]} becomes {@code [c, r]} (a rank-2 tensor only). */
    public FloatTensor transpose() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("transpose: needs a matrix, got shape " + Arrays.toString(shape));
        }
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
        }
        return new FloatTensor(new long[] {cols, rows}, out);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the shape (1 for a scalar). */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** True when shapes match and all values are bit-identical (NaN payloads included). */
    public boolean bitEquals(FloatTensor other) {
        if (!Arrays.equals(shape, other.shape) || data.length != other.data.length) return false;
        for (int i = 0; i < data.length; i++) {
            if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(other.data[i])) return false;
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && bitEquals(t);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
