package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.LossConfig;
import io.mohge.model.FfnSpec;

/**
 * A routed FFN layer (MoHGE, or top-k MoE as one group): router, dispatcher, experts and shared expert.
 * Parameters, prefix {@code layers.{i}.ffn}: {@code router.expert.weight} [D, E], {@code router.group.weight}
 * [D, G] (G > 1), {@code experts.{e}.{w1,w3}.weight} [D, s_e], {@code experts.{e}.w2.weight} [s_e, D],
 * {@code shared.{w1,w2,w3}.weight}; state {@code router.expert_bias} [E] when bias balancing is on.
 * <pre>
 *   router:     b = u W_E, a = u W_G  ->  TopK(t) and gates w_{t,e}           ({@link Router})
 *   dispatch:   the kept (token, slot) assignments sorted by expert: rows [off_e, off_e + n_e) of one buffer
 *   experts:    ys[rows of e] = SwiGLU_e(u[tokens of those rows])           (three products on a row block)
 *   combine:    y_t = sum over t's rows of w * ys[row]  +  Shared(u_t)
 * </pre>
 * With a capacity factor CF > 0 each expert admits ceil(n*K/E * CF) assignments in slot-major order (all
 * first choices, then all second choices, ...); the rest are dropped: they skip the layer and their gates
 * get no gradient from the LM loss. No buffer's size depends on the routing: only the row views do.
 */
final class RoutedFfn implements Ffn {

    /** What the router decided in the last forward (for metrics and bias balancing). */
    record Routing(long[] tokensPerExpert, long[] tokensPerGroup, int[] topExpert, long dropped) {
    }

    private final ParamStore params;
    private final Kernels kernels;
    private final FfnSpec.Routed spec;
    private final int d;
    private final Router router;
    private final RouterAux aux;
    private final String expertRouter;
    private final String groupRouter;
    private final String bias;
    private final SwiGlu.Weights[] expertWeights;
    private final SwiGlu.Weights sharedWeights;
    private final SwiGlu.Block[] blocks;           // one per expert with rows, in expert order
    private final SwiGlu.Block[] sharedBlock = new SwiGlu.Block[1];

    private INDArray u;
    private INDArray logitsE, logitsG;             // [n, E], [n, G]
    private INDArray xs, ys, dys, dxs;             // [n*K, D] rows in dispatch order
    private SwiGlu.Buffers hidden;                 // [n*K*maxWidth] activations of all experts' blocks
    private SwiGlu.Buffers sharedHidden;           // [n*sharedWidth]
    private int blockCount;

    private int rows;
    private int[] rowToken;
    private int[] rowSlot;
    private double[] rowGate;
    private final int[] count;
    private final int[] offset;
    private final long[] hiddenOffset;
    private long dropped;

    RoutedFfn(ParamStore params, Kernels kernels, String prefix, FfnSpec.Routed spec, LossConfig losses, int dModel) {
        this.params = params;
        this.kernels = kernels;
        this.spec = spec;
        this.d = dModel;
        this.router = new Router(spec);
        this.aux = new RouterAux(losses, spec.widths());
        this.expertRouter = prefix + ".router.expert.weight";
        this.groupRouter = prefix + ".router.group.weight";
        this.bias = spec.biasUpdateRate() > 0 ? prefix + ".router.expert_bias" : null;
        this.expertWeights = new SwiGlu.Weights[spec.experts()];
        for (int e = 0; e < expertWeights.length; e++) expertWeights[e] = SwiGlu.Weights.of(params, prefix + ".experts." + e);
        this.sharedWeights = spec.sharedWidth() > 0 ? SwiGlu.Weights.of(params, prefix + ".shared") : null;
        this.blocks = new SwiGlu.Block[spec.experts()];
        this.count = new int[spec.experts()];
        this.offset = new int[spec.experts() + 1];
        this.hiddenOffset = new long[spec.experts()];
    }

    /** Declares this layer's parameters and state, in model order. */
    static void declare(ParamStore.Builder b, String prefix, FfnSpec.Routed spec, int dModel) {
        b.matrix(prefix + ".router.expert.weight", dModel, spec.experts());
        if (spec.hasGroupRouter()) b.matrix(prefix + ".router.group.weight", dModel, spec.groups());
        for (int e = 0; e < spec.experts(); e++) SwiGlu.declare(b, prefix + ".experts." + e, dModel, spec.width(e));
        if (spec.sharedWidth() > 0) SwiGlu.declare(b, prefix + ".shared", dModel, spec.sharedWidth());
        if (spec.biasUpdateRate() > 0) b.state(prefix + ".router.expert_bias", spec.experts());
    }

    @Override
    public void allocate(int n) {
        var dt = params.dtype();
        long assignments = (long) n * spec.topK();
        logitsE = Ops.zeros(dt, n, spec.experts());
        logitsG = spec.hasGroupRouter() ? Ops.zeros(dt, n, spec.groups()) : null;
        xs = Ops.zeros(dt, assignments, d);
        ys = Ops.zeros(dt, assignments, d);
        dys = Ops.zeros(dt, assignments, d);
        dxs = Ops.zeros(dt, assignments, d);
        hidden = new SwiGlu.Buffers(dt, assignments * spec.maxWidth());
        if (sharedWeights != null) sharedHidden = new SwiGlu.Buffers(dt, (long) n * spec.sharedWidth());
        rowToken = new int[Math.toIntExact(assignments)];
        rowSlot = new int[rowToken.length];
        rowGate = new double[rowToken.length];
    }

    @Override
    public void forward(INDArray input, INDArray y) {
        u = input;
        int n = u.rows();
        kernels.gemm(Mat.of(u), false, params.paramMat(expertRouter), false, Mat.of(logitsE), 0);
        if (logitsG != null) kernels.gemm(Mat.of(u), false, params.paramMat(groupRouter), false, Mat.of(logitsG), 0);
        router.forward(Rows.read(logitsE), logitsG == null ? null : Rows.read(logitsG),
                bias == null ? null : Rows.read(params.state().get(bias)), n);
        dispatch(n);
        Rows.gather(u, rowToken, rows, xs);
        SwiGlu.forward(kernels, blocks, blockCount, hidden, 0);
        y.assign(0);
        Rows.scatterAdd(ys, rowToken, rowGate, rows, y);
        if (sharedWeights != null) {
            sharedBlock[0] = new SwiGlu.Block(sharedWeights, Mat.of(u), Mat.of(y), null, null, 0, spec.sharedWidth());
            SwiGlu.forward(kernels, sharedBlock, 1, sharedHidden, 1);
        }
    }

    /** Auxiliary-loss values of the last forward. */
    RouterAux.Values auxLosses(double groupAuxScale) {
        return aux.compute(router, groupAuxScale);
    }

    Routing routing() {
        int[] top = new int[router.n];
        for (int t = 0; t < top.length; t++) top[t] = router.selExperts[t * spec.topK()];
        return new Routing(router.expertCounts.clone(), router.groupCounts.clone(), top, dropped);
    }

    @Override
    public void backward(INDArray dy, INDArray du, double gradScale) {
        int n = router.n;
        if (sharedWeights != null) {
            sharedBlock[0] = new SwiGlu.Block(sharedWeights, Mat.of(u), null, Mat.of(dy), Mat.of(du), 0, spec.sharedWidth());
            SwiGlu.backward(kernels, sharedBlock, 1, sharedHidden, 0);
        } else {
            du.assign(0);
        }
        double[] dRowGate = new double[rows];
        Rows.rowDots(ys, dy, rowToken, rows, dRowGate);           // dL/dw of each kept assignment
        Rows.gatherScaled(dy, rowToken, rowGate, rows, dys);      // dL/dys = w * dy
        SwiGlu.backward(kernels, blocks, blockCount, hidden, 0);  // dxs
        Rows.scatterAdd(dxs, rowToken, null, rows, du);

        double[] dGates = new double[n * spec.topK()];
        for (int row = 0; row < rows; row++) dGates[rowSlot[row]] = dRowGate[row];
        double[] dQ = new double[n * spec.experts()];
        double[] dA = new double[n * spec.groups()];
        double[] dB = new double[n * spec.experts()];
        aux.addGradients(router, gradScale, dGates, dQ, dA, dB);
        router.backward(dGates, dQ, dA, dB);
        Rows.write(dB, logitsE);                                   // logitsE := dL/db
        kernels.gemm(Mat.of(logitsE), false, params.paramMat(expertRouter), true, Mat.of(du), 1);
        kernels.gemm(Mat.of(u), true, Mat.of(logitsE), false, params.gradMat(expertRouter), 1);
        if (logitsG != null) {
            Rows.write(dA, logitsG);
            kernels.gemm(Mat.of(logitsG), false, params.paramMat(groupRouter), true, Mat.of(du), 1);
            kernels.gemm(Mat.of(u), true, Mat.of(logitsG), false, params.gradMat(groupRouter), 1);
        }
    }

    /** Capacity decisions, then the kept assignments sorted by expert (token order inside an expert). */
    private void dispatch(int n) {
        int k = spec.topK();
        int experts = spec.experts();
        boolean[] keep = new boolean[n * k];
        java.util.Arrays.fill(count, 0);
        long capacity = spec.capacityFactor() > 0
                ? (long) Math.ceil((double) n * k * spec.capacityFactor() / experts) : Long.MAX_VALUE;
        dropped = 0;
        for (int slot = 0; slot < k; slot++) {
            for (int t = 0; t < n; t++) {
                int e = router.selExperts[t * k + slot];
                if (count[e] < capacity) {
                    count[e]++;
                    keep[t * k + slot] = true;
                } else {
                    dropped++;
                }
            }
        }
        long h = 0;
        for (int e = 0; e < experts; e++) {
            offset[e + 1] = offset[e] + count[e];
            hiddenOffset[e] = h;
            h += (long) count[e] * spec.width(e);
        }
        rows = offset[experts];
        blockCount = 0;
        Mat x = Mat.of(xs), y = Mat.of(ys), dy = Mat.of(dys), dx = Mat.of(dxs);
        for (int e = 0; e < experts; e++) {
            if (count[e] == 0) continue;
            blocks[blockCount++] = new SwiGlu.Block(expertWeights[e], x.rows(offset[e], count[e]),
                    y.rows(offset[e], count[e]), dy.rows(offset[e], count[e]), dx.rows(offset[e], count[e]),
                    hiddenOffset[e], spec.width(e));
        }
        int[] cursor = java.util.Arrays.copyOf(offset, experts);
        for (int s = 0; s < n * k; s++) {
            if (!keep[s]) continue;
            int row = cursor[router.selExperts[s]]++;
            rowToken[row] = s / k;
            rowSlot[row] = s;
            rowGate[row] = router.gates[s];
        }
    }
}
