package io.mohge.engine;

import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J calls the engine and its ND4J kernels are made of, each writing into a preallocated output (nothing
 * here allocates a result array). Plain matrix products go through {@link Kernels#gemm}.
 */
final class Ops {

    private Ops() {
    }

    /** Batched product over the leading axis: {@code c[i] = alpha * op(a[i]) op(b[i])} for rank-3 arrays. */
    static void batchedGemm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double alpha) {
        MMulTranspose t = MMulTranspose.builder().transposeA(transA).transposeB(transB).build();
        Nd4j.exec(new Mmul(a, b, c, alpha, 0.0, t));
    }

    /** A c-order view of {@code shape} over {@code flat}'s storage, starting {@code offset} elements in. */
    static INDArray view(INDArray flat, long offset, long... shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        if (offset + s > flat.length()) {
            throw new IllegalStateException("view of " + s + " values at " + offset + " exceeds a buffer of " + flat.length());
        }
        return Nd4j.create(flat.data(), shape, stride, flat.offset() + offset, 'c');
    }

    /** A zeroed c-order array. */
    static INDArray zeros(DataType dtype, long... shape) {
        return Nd4j.create(dtype, shape);
    }

    static void sigmoid(INDArray x, INDArray out) {
        Nd4j.exec(new Sigmoid(x, out));
    }

    static void exp(INDArray x, INDArray out) {
        Nd4j.exec(new Exp(x, out));
    }

    static void rsqrt(INDArray x, INDArray out) {
        Nd4j.exec(new RSqrt(x, out));
    }

    /** Softmax along the last axis. */
    static void softmax(INDArray x, INDArray out) {
        Nd4j.exec(new SoftMax(x, out, x.rank() - 1));
    }

    /** Log-softmax along the last axis of a matrix. */
    static void logSoftmax(INDArray x, INDArray out) {
        Nd4j.exec(new LogSoftMax(x, out));          // last axis
    }

    /** {@code out = sum over the given axes of x} (out has the remaining shape). */
    static void sum(INDArray x, INDArray out, int... axes) {
        Nd4j.exec(new Sum(x, out, axes));
    }

    static void mean(INDArray x, INDArray out, int... axes) {
        Nd4j.exec(new Mean(x, out, axes));
    }

    /** {@code out = x * y} with y broadcast along {@code axes} of x (the axes y's dimensions line up with). */
    static void mulBroadcast(INDArray x, INDArray y, INDArray out, int... axes) {
        Nd4j.exec(new BroadcastMulOp(x, y, out, axes));
    }

    static void addBroadcast(INDArray x, INDArray y, INDArray out, int... axes) {
        Nd4j.exec(new BroadcastAddOp(x, y, out, axes));
    }

    static void subBroadcast(INDArray x, INDArray y, INDArray out, int... axes) {
        Nd4j.exec(new BroadcastSubOp(x, y, out, axes));
    }
}
