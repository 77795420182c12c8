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

    private INDArray u;
    private INDArray logitsE, logitsG;             // [n, E], [n, G]
    private INDArray xs, ys, dys, dxs;             // [n*K, D] rows in dispatch order
    private INDArray[] hidden;                     // 4 x [n*K*maxWidth] saved SwiGLU activations
    private INDArray[] scratch;                    // 4 x [n*K*maxWidth]
    private SwiGlu.Acts sharedActs, sharedScratch; // [n, sharedWidth]

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
        hidden = new INDArray[4];
        scratch = new INDArray[4];
        for (int i = 0; i < 4; i++) {
            hidden[i] = Ops.zeros(dt, assignments * spec.maxWidth());
            scratch[i] = Ops.zeros(dt, assignments * spec.maxWidth());
        }
        if (sharedWeights != null) {
            INDArray[] s = new INDArray[4];
            INDArray[] sc = new INDArray[4];
            for (int i = 0; i < 4; i++) {
                s[i] = Ops.zeros(dt, (long) n * spec.sharedWidth());
                sc[i] = Ops.zeros(dt, (long) n * spec.sharedWidth());
            }
            sharedActs = SwiGlu.Acts.view(s, 0, n, spec.sharedWidth());
            sharedScratch = SwiGlu.Acts.view(sc, 0, n, spec.sharedWidth());
        }
        rowToken = new int[Math.toIntExact(assignments)];
        rowSlot = new int[rowToken.length];
        rowGate = new double[rowToken.length];
    }

    @Override
    public void forward(INDArray input, INDArray y) {
        u = input;
        int n = (int) u.rows();
        Ops.gemm(u, false, params.param(expertRouter), false, logitsE, 0);
        if (logitsG != null) Ops.gemm(u, false, params.param(groupRouter), false, logitsG, 0);
        router.forward(Rows.read(logitsE), logitsG == null ? null : Rows.read(logitsG),
                bias == null ? null : Rows.read(params.state().get(bias)), n);
        dispatch(n);
        Rows.gather(u, rowToken, rows, xs);
        for (int e = 0; e < count.length; e++) {
            if (count[e] == 0) continue;
            SwiGlu.forward(kernels, block(xs, e), expertWeights[e], acts(hidden, e), block(ys, e), 0);
        }
        y.assign(0);
        Rows.scatterAdd(ys, rowToken, rowGate, rows, y);
        if (sharedWeights != null) SwiGlu.forward(kernels, u, sharedWeights, sharedActs, y, 1);
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
        if (sharedWeights != null) SwiGlu.backward(kernels, u, sharedWeights, sharedActs, dy, du, 0, sharedScratch);
        else du.assign(0);
        double[] dRowGate = new double[rows];
        Rows.rowDots(ys, dy, rowToken, rows, dRowGate);           // dL/dw of each kept assignment
        Rows.gatherScaled(dy, rowToken, rowGate, rows, dys);      // dL/dys = w * dy
        for (int e = 0; e < count.length; e++) {
            if (count[e] == 0) continue;
            SwiGlu.backward(kernels, block(xs, e), expertWeights[e], acts(hidden, e), block(dys, e), block(dxs, e), 0,
                    acts(scratch, e));
        }
        Rows.scatterAdd(dxs, rowToken, null, rows, du);

        double[] dGates = new double[n * spec.topK()];
        for (int row = 0; row < rows; row++) dGates[rowSlot[row]] = dRowGate[row];
        double[] dQ = new double[n * spec.experts()];
        double[] dA = new double[n * spec.groups()];
        double[] dB = new double[n * spec.experts()];
        aux.addGradients(router, gradScale, dGates, dQ, dA, dB);
        router.backward(dGates, dQ, dA, dB);
        Rows.write(dB, logitsE);                                   // logitsE := dL/db
        Ops.gemm(logitsE, false, params.param(expertRouter), true, du, 1);
        Ops.gemm(u, true, logitsE, false, params.grad(expertRouter), 1);
        if (logitsG != null) {
            Rows.write(dA, logitsG);
            Ops.gemm(logitsG, false, params.param(groupRouter), true, du, 1);
            Ops.gemm(u, true, logitsG, false, params.grad(groupRouter), 1);
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
        int[] cursor = java.util.Arrays.copyOf(offset, experts);
        for (int s = 0; s < n * k; s++) {
            if (!keep[s]) continue;
            int row = cursor[router.selExperts[s]]++;
            rowToken[row] = s / k;
            rowSlot[row] = s;
            rowGate[row] = router.gates[s];
        }
    }

    /** Rows [off_e, off_e + n_e) of a [n*K, D] dispatch buffer. */
    private INDArray block(INDArray buffer, int e) {
        return Ops.view(buffer, (long) offset[e] * d, count[e], d);
    }

    /** Expert e's [n_e, s_e] activation views in four flat buffers. */
    private SwiGlu.Acts acts(INDArray[] flat, int e) {
        return SwiGlu.Acts.view(flat, hiddenOffset[e], count[e], spec.width(e));
    }
}
