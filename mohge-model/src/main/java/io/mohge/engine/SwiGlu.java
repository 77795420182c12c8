package io.mohge.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SwiGLU feed-forward (Shazeer 2020), no biases, over row blocks that each have their own weights: the dense FFN
 * and the shared expert are one block, a routed layer has one block per expert (the rows dispatched to it).
 * For a block with input x [M, D] and weights W1, W3 [D, F], W2 [F, D]:
 * <pre>
 *   a = x W1,  b = x W3,  s = sigmoid(a),  h = a * s * b,  y = h W2            [M, F] / [M, D]
 *   backward: dh = dy W2^T,  db = dh * a * s,  da = dh * b * (s + a*s*(1 - s)),
 *             dx = da W1^T + db W3^T,  dW1 = x^T da,  dW3 = x^T db,  dW2 = h^T dy
 * </pre>
 * The blocks' [M, F] activations lie one after another in flat buffers, so the element-wise work of all blocks
 * is one kernel call; only the products run per block.
 */
final class SwiGlu {

    /** Parameter and gradient matrices of one SwiGLU. */
    record Weights(Mat w1, Mat w3, Mat w2, Mat g1, Mat g3, Mat g2) {
        static Weights of(ParamStore params, String prefix) {
            return new Weights(params.paramMat(prefix + ".w1.weight"), params.paramMat(prefix + ".w3.weight"),
                    params.paramMat(prefix + ".w2.weight"), params.gradMat(prefix + ".w1.weight"),
                    params.gradMat(prefix + ".w3.weight"), params.gradMat(prefix + ".w2.weight"));
        }
    }

    /**
     * One block: its input rows x and output rows y (forward), the gradient rows dy and dx (backward; may be null
     * in the forward), and where its [rows, width] activations start in the flat buffers.
     */
    record Block(Weights w, Mat x, Mat y, Mat dy, Mat dx, long hidden, int width) {
        Mat act(INDArray flat) {
            return new Mat(flat, hidden, x.rows(), width);
        }
    }

    /**
     * Flat activation buffers: a, b, s, h kept from the forward; dh, da, db for the backward. Views of their
     * first n values are kept for the last few lengths n (creating an ND4J view costs about 30 us; the dense FFN
     * always uses one length, a routed layer decoding one token a handful).
     */
    static final class Buffers {
        final INDArray a, b, s, h, dh, da, db;
        private final java.util.Map<Long, INDArray[]> views = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<Long, INDArray[]> eldest) {
                return size() > 16;
            }
        };

        Buffers(DataType dtype, long size) {
            a = Ops.zeros(dtype, size);
            b = Ops.zeros(dtype, size);
            s = Ops.zeros(dtype, size);
            h = Ops.zeros(dtype, size);
            dh = Ops.zeros(dtype, size);
            da = Ops.zeros(dtype, size);
            db = Ops.zeros(dtype, size);
        }

        /** The first {@code length} values of a, b, s, h, dh, da, db as 1-D views, in that order. */
        INDArray[] first(long length) {
            return views.computeIfAbsent(length, n -> new INDArray[] {Ops.view(a, 0, n), Ops.view(b, 0, n),
                    Ops.view(s, 0, n), Ops.view(h, 0, n), Ops.view(dh, 0, n), Ops.view(da, 0, n), Ops.view(db, 0, n)});
        }
    }

    private SwiGlu() {
    }

    /** Declares {@code <prefix>.{w1,w2,w3}.weight}. */
    static void declare(ParamStore.Builder b, String prefix, int dModel, int width) {
        b.matrix(prefix + ".w1.weight", dModel, width);
        b.matrix(prefix + ".w2.weight", width, dModel);
        b.matrix(prefix + ".w3.weight", dModel, width);
    }

    /** {@code y = SwiGLU(x) + yBeta * y} for the first {@code count} blocks. */
    static void forward(Kernels k, Block[] blocks, int count, Buffers buf, double yBeta) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            Block blk = blocks[i];
            k.gemm(blk.x(), false, blk.w().w1(), false, blk.act(buf.a), 0);
            k.gemm(blk.x(), false, blk.w().w3(), false, blk.act(buf.b), 0);
            total = Math.max(total, blk.hidden() + (long) blk.x().rows() * blk.width());
        }
        if (total > 0) {
            INDArray[] f = buf.first(total);
            k.swiGlu(f[0], f[1], f[2], f[3]);
        }
        for (int i = 0; i < count; i++) {
            Block blk = blocks[i];
            k.gemm(blk.act(buf.h), false, blk.w().w2(), false, blk.y(), yBeta);
        }
    }

    /** {@code dx = dSwiGLU/dx (dy) + dxBeta * dx} for the first {@code count} blocks; weight gradients accumulate. */
    static void backward(Kernels k, Block[] blocks, int count, Buffers buf, double dxBeta) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            Block blk = blocks[i];
            k.gemm(blk.dy(), false, blk.w().w2(), true, blk.act(buf.dh), 0);
            k.gemm(blk.act(buf.h), true, blk.dy(), false, blk.w().g2(), 1);
            total = Math.max(total, blk.hidden() + (long) blk.x().rows() * blk.width());
        }
        if (total > 0) {
            INDArray[] f = buf.first(total);
            k.swiGluBackward(f[4], f[0], f[1], f[2], f[5], f[6]);
        }
        for (int i = 0; i < count; i++) {
            Block blk = blocks[i];
            k.gemm(blk.act(buf.da), false, blk.w().w1(), true, blk.dx(), dxBeta);
            k.gemm(blk.act(buf.db), false, blk.w().w3(), true, blk.dx(), 1);
            k.gemm(blk.x(), true, blk.act(buf.da), false, blk.w().g1(), 1);
            k.gemm(blk.x(), true, blk.act(buf.db), false, blk.w().g3(), 1);
        }
    }
}
