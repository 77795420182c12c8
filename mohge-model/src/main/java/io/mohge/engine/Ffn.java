package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The FFN of one layer over N = B*T rows of [N, D]. */
sealed interface Ffn permits DenseFfn, RoutedFfn {

    /** (Re)allocates the buffers for N rows. */
    void allocate(int n);

    /** y = FFN(u); y is overwritten, u must stay unchanged until the backward. */
    void forward(INDArray u, INDArray y);

    /**
     * du = dFFN/du (dy), overwritten; parameter gradients are accumulated.
     *
     * @param gradScale factor on this micro-batch's loss (auxiliary terms are scaled like the LM loss)
     */
    void backward(INDArray dy, INDArray du, double gradScale);
}
