package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The dense SwiGLU FFN baseline: {@code layers.{i}.ffn.{w1,w2,w3}.weight}. */
final class DenseFfn implements Ffn {

    private final ParamStore params;
    private final Kernels kernels;
    private final SwiGlu.Weights weights;
    private final int width;
    private INDArray u;
    private SwiGlu.Acts acts;
    private SwiGlu.Acts scratch;

    DenseFfn(ParamStore params, Kernels kernels, String prefix, int width) {
        this.params = params;
        this.kernels = kernels;
        this.weights = SwiGlu.Weights.of(params, prefix);
        this.width = width;
    }

    @Override
    public void allocate(int n) {
        acts = acts(n);
        scratch = acts(n);
    }

    private SwiGlu.Acts acts(int n) {
        var dt = params.dtype();
        return new SwiGlu.Acts(Ops.zeros(dt, n, width), Ops.zeros(dt, n, width), Ops.zeros(dt, n, width),
                Ops.zeros(dt, n, width));
    }

    @Override
    public void forward(INDArray input, INDArray y) {
        u = input;
        SwiGlu.forward(kernels, u, weights, acts, y, 0);
    }

    @Override
    public void backward(INDArray dy, INDArray du, double gradScale) {
        SwiGlu.backward(kernels, u, weights, acts, dy, du, 0, scratch);
    }
}
