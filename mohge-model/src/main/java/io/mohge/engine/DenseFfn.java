package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The dense SwiGLU FFN baseline: {@code layers.{i}.ffn.{w1,w2,w3}.weight}, one SwiGLU block over all rows. */
final class DenseFfn implements Ffn {

    private final ParamStore params;
    private final Kernels kernels;
    private final SwiGlu.Weights weights;
    private final int width;
    private final SwiGlu.Block[] block = new SwiGlu.Block[1];
    private SwiGlu.Buffers buffers;
    private INDArray u;

    DenseFfn(ParamStore params, Kernels kernels, String prefix, int width) {
        this.params = params;
        this.kernels = kernels;
        this.weights = SwiGlu.Weights.of(params, prefix);
        this.width = width;
    }

    @Override
    public void allocate(int n) {
        buffers = new SwiGlu.Buffers(params.dtype(), (long) n * width);
    }

    @Override
    public void forward(INDArray input, INDArray y) {
        u = input;
        block[0] = new SwiGlu.Block(weights, Mat.of(u), Mat.of(y), null, null, 0, width);
        SwiGlu.forward(kernels, block, 1, buffers, 0);
    }

    @Override
    public void backward(INDArray dy, INDArray du, double gradScale) {
        block[0] = new SwiGlu.Block(weights, Mat.of(u), null, Mat.of(dy), Mat.of(du), 0, width);
        SwiGlu.backward(kernels, block, 1, buffers, 0);
    }
}
