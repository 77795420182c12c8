package io.mohge.engine;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row permutations and small host reads/writes, done through the arrays' NIO views. Moving token rows
 * between routing order and sequence order through ND4J ops (getRows, pullRows, scatter_add) costs 1-30 ms
 * per call at the main-job size; a bulk NIO copy of the same rows costs about 0.1 ms (docs/engine.md).
 * Every array passed here must be c-order and contiguous (the engine's buffers and their row views are).
 * Float and double arrays are both supported; the double path serves the float64 oracle tests. An NIO view does
 * not keep its array alive, so every method fences its arrays until it is done with their memory.
 */
final class Rows {

    private Rows() {
    }

    /** {@code dst[i, :] = src[index[i], :]} for i < count. */
    static void gather(INDArray src, int[] index, int count, INDArray dst) {
        int cols = columns(src, dst);
        if (isFloat(src, dst)) {
            FloatBuffer s = floats(src);
            FloatBuffer d = floats(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            for (int i = 0; i < count; i++) d.put(dOff + i * cols, s, so + index[i] * cols, cols);
        } else {
            DoubleBuffer s = doubles(src);
            DoubleBuffer d = doubles(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            for (int i = 0; i < count; i++) d.put(dOff + i * cols, s, so + index[i] * cols, cols);
        }
        Reference.reachabilityFence(new Object[] {src, dst});
    }

    /** {@code dst[i, :] = scale[i] * src[index[i], :]} for i < count. */
    static void gatherScaled(INDArray src, int[] index, double[] scale, int count, INDArray dst) {
        int cols = columns(src, dst);
        if (isFloat(src, dst)) {
            FloatBuffer s = floats(src);
            FloatBuffer d = floats(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            float[] row = new float[cols];
            for (int i = 0; i < count; i++) {
                s.get(so + index[i] * cols, row);
                float g = (float) scale[i];
                for (int c = 0; c < cols; c++) row[c] *= g;
                d.put(dOff + i * cols, row);
            }
        } else {
            DoubleBuffer s = doubles(src);
            DoubleBuffer d = doubles(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            for (int i = 0; i < count; i++) {
                int from = so + index[i] * cols;
                int to = dOff + i * cols;
                for (int c = 0; c < cols; c++) d.put(to + c, scale[i] * s.get(from + c));
            }
        }
        Reference.reachabilityFence(new Object[] {src, dst});
    }

    /** {@code dst[index[i], :] += scale[i] * src[i, :]} for i < count ({@code scale} null = 1). */
    static void scatterAdd(INDArray src, int[] index, double[] scale, int count, INDArray dst) {
        int cols = columns(src, dst);
        if (isFloat(src, dst)) {
            FloatBuffer s = floats(src);
            FloatBuffer d = floats(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            float[] in = new float[cols];
            float[] acc = new float[cols];
            for (int i = 0; i < count; i++) {
                int to = dOff + index[i] * cols;
                s.get(so + i * cols, in);
                d.get(to, acc);
                float g = scale == null ? 1f : (float) scale[i];
                for (int c = 0; c < cols; c++) acc[c] += g * in[c];
                d.put(to, acc);
            }
        } else {
            DoubleBuffer s = doubles(src);
            DoubleBuffer d = doubles(dst);
            int so = (int) src.offset();
            int dOff = (int) dst.offset();
            for (int i = 0; i < count; i++) {
                int from = so + i * cols;
                int to = dOff + index[i] * cols;
                double g = scale == null ? 1 : scale[i];
                for (int c = 0; c < cols; c++) d.put(to + c, d.get(to + c) + g * s.get(from + c));
            }
        }
        Reference.reachabilityFence(new Object[] {src, dst});
    }

    /** {@code out[i] = dot(a[i, :], b[index[i], :])} for i < count. */
    static void rowDots(INDArray a, INDArray b, int[] index, int count, double[] out) {
        int cols = columns(a, b);
        int ao = (int) a.offset();
        int bo = (int) b.offset();
        if (isFloat(a, b)) {
            FloatBuffer x = floats(a);
            FloatBuffer y = floats(b);
            float[] xr = new float[cols];
            float[] yr = new float[cols];
            for (int i = 0; i < count; i++) {
                x.get(ao + i * cols, xr);
                y.get(bo + index[i] * cols, yr);
                float sum = 0;
                for (int c = 0; c < cols; c++) sum += xr[c] * yr[c];
                out[i] = sum;
            }
        } else {
            DoubleBuffer x = doubles(a);
            DoubleBuffer y = doubles(b);
            for (int i = 0; i < count; i++) {
                int xi = ao + i * cols;
                int yi = bo + index[i] * cols;
                double sum = 0;
                for (int c = 0; c < cols; c++) sum += x.get(xi + c) * y.get(yi + c);
                out[i] = sum;
            }
        }
        Reference.reachabilityFence(new Object[] {a, b});
    }

    /** {@code dst[dstOffset ..] = src[srcOffset ..]} for {@code length} values of contiguous arrays. */
    static void copy(INDArray src, long srcOffset, INDArray dst, long dstOffset, int length) {
        int so = Math.toIntExact(src.offset() + srcOffset);
        int dOff = Math.toIntExact(dst.offset() + dstOffset);
        if (isFloat(src, dst)) {
            floats(dst).put(dOff, floats(src), so, length);
        } else {
            doubles(dst).put(dOff, doubles(src), so, length);
        }
        Reference.reachabilityFence(new Object[] {src, dst});
    }

    /** The values of a contiguous array, in c order, as doubles. */
    static double[] read(INDArray a) {
        int n = Math.toIntExact(a.length());
        double[] out = new double[n];
        int o = (int) a.offset();
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer f = floats(a);
            for (int i = 0; i < n; i++) out[i] = f.get(o + i);
        } else {
            doubles(a).get(o, out, 0, n);
        }
        return out;
    }

    /** Overwrites a contiguous array with {@code values} (c order). */
    static void write(double[] values, INDArray a) {
        if (values.length != a.length()) {
            throw new IllegalStateException(values.length + " values for an array of " + a.length());
        }
        int o = (int) a.offset();
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer f = floats(a);
            for (int i = 0; i < values.length; i++) f.put(o + i, (float) values[i]);
        } else {
            doubles(a).put(o, values, 0, values.length);
        }
    }

    /** One element of a contiguous array at a flat c-order index. */
    static double get(INDArray a, long index) {
        int i = Math.toIntExact(a.offset() + index);
        return a.dataType() == DataType.FLOAT ? floats(a).get(i) : doubles(a).get(i);
    }

    /** Adds {@code delta} to one element of a contiguous array. */
    static void add(INDArray a, long index, double delta) {
        int i = Math.toIntExact(a.offset() + index);
        if (a.dataType() == DataType.FLOAT) {
            FloatBuffer f = floats(a);
            f.put(i, f.get(i) + (float) delta);
        } else {
            DoubleBuffer d = doubles(a);
            d.put(i, d.get(i) + delta);
        }
    }

    private static int columns(INDArray a, INDArray b) {
        if (a.rank() != 2 || b.rank() != 2 || a.columns() != b.columns() || a.ordering() != 'c' || b.ordering() != 'c') {
            throw new IllegalStateException("row copy between incompatible arrays " + a.shapeInfoToString()
                    + " and " + b.shapeInfoToString());
        }
        return a.columns();
    }

    private static boolean isFloat(INDArray a, INDArray b) {
        if (a.dataType() != b.dataType()) {
            throw new IllegalStateException("row copy between " + a.dataType() + " and " + b.dataType());
        }
        return a.dataType() == DataType.FLOAT;
    }

    private static FloatBuffer floats(INDArray a) {
        return a.data().asNioFloat();
    }

    private static DoubleBuffer doubles(INDArray a) {
        return a.data().asNioDouble();
    }
}
