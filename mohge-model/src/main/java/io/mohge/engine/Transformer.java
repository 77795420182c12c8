package io.mohge.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.LossConfig;
import io.mohge.losses.LossNames;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamNames;

/**
 * The decoder-only language model with an explicit forward and backward on ND4J arrays (pre-norm,
 * Llama-style; docs/method.md). For B sequences of T tokens, N = B*T rows:
 * <pre>
 *   x = E[tokens]                                  [N, D]    E = tok_embeddings.weight [V, D]
 *   for each layer i:
 *     h = x + Attention(RMSNorm(x))                [N, D]    causal, RoPE
 *     x = h + FFN(RMSNorm(h))                      [N, D]    dense SwiGLU | routed (MoHGE, top-k MoE)
 *   logits = RMSNorm(x) W_out                      [N, V]
 *   loss = L_LM + group_aux_scale * sum_i L_group,i + sum_i (L_intra,i + L_switch,i + L_z,i)
 * </pre>
 * With temporally extended routing ({@code model.temporal}, docs/temporal.md) every routed layer has a switch
 * controller, decisions follow the {@link SwitchPolicy} (GREEDY unless set), the loss adds the deliberation cost and,
 * under a sampling policy, the backward adds the controllers' REINFORCE gradient ({@link SwitchEstimator}). With
 * self-distillation ({@code losses.distill_coef}) L_LM becomes lm_coef L_LM + distill_coef KL(teacher || model).
 * Every buffer is allocated once per batch size and reused; gradients accumulate into {@link ParamStore}'s
 * flat gradient buffer until {@link ParamStore#zeroGrads()}. Not thread-safe: one model per thread.
 */
public final class Transformer {

    /**
     * What one forward (and backward) produced.
     *
     * @param losses          loss terms by name ({@link LossNames#ALL} order), unscaled
     * @param tokensPerExpert [layers][E] tokens that selected each expert (empty for a dense model)
     * @param tokensPerGroup  [layers][G] tokens whose selected groups contain each group
     * @param topExpert       [layers][N] each position's highest-scoring expert
     * @param dropped         assignments dropped by the capacity limit, all layers
     * @param expertSets      [layers][N*K] each position's final experts, largest gate first
     * @param switchProb      [layers][N] the switch controllers' probabilities (empty without controllers)
     * @param switched        [layers][N] their decisions, true = switch (true at each sequence's first position)
     */
    public record Result(Map<String, Double> losses, long[][] tokensPerExpert, long[][] tokensPerGroup,
                         int[][] topExpert, long dropped, int[][] expertSets, double[][] switchProb,
                         boolean[][] switched) {
    }

    private final ModelConfig config;
    private final LossConfig losses;
    private final Kernels kernels;
    private final ParamStore params;
    private final RmsNorm[] attentionNorms;
    private final Attention[] attentions;
    private final RmsNorm[] ffnNorms;
    private final Ffn[] ffns;
    private final LmHead head;
    private final INDArray embedding;     // [V, D] tok_embeddings.weight (view)
    private final INDArray embeddingGrad;
    private int batch = -1;
    private int[] tokens;
    private INDArray[] x;       // residual stream: x[2i] enters layer i, x[2i+1] after its attention, x[2L] leaves
    private INDArray branch;    // [N, D] output of the current attention or FFN
    private INDArray dx;        // [N, D] gradient of the residual stream
    private INDArray dBranch;   // [N, D]
    private SwitchPolicy policy = SwitchPolicy.GREEDY;
    private boolean controllersOnly;   // the backward computes only the controllers' gradients
    private double[] tokenLoss;        // [N] each position's weighted task loss (temporal routing, distillation)

    private Transformer(ModelConfig config, LossConfig losses, ParamStore params, Kernels kernels) {
        this.config = config;
        this.losses = losses;
        this.kernels = kernels;
        this.params = params;
        int layers = config.nLayers();
        attentionNorms = new RmsNorm[layers];
        attentions = new Attention[layers];
        ffnNorms = new RmsNorm[layers];
        ffns = new Ffn[layers];
        for (int i = 0; i < layers; i++) {
            String layer = ParamNames.layer(i);
            attentionNorms[i] = norm(layer + ".attention_norm.weight");
            attentions[i] = new Attention(params, kernels, layer + ".attention", config.seqLen(), config.nHeads(),
                    config.headSize(), config.ropeTheta());
            ffnNorms[i] = norm(layer + ".ffn_norm.weight");
            ffns[i] = ffn(i);
        }
        head = head();
        embedding = params.param(ParamNames.TOK_EMBEDDINGS);
        embeddingGrad = params.grad(ParamNames.TOK_EMBEDDINGS);
    }

    /**
     * A model with fresh weights (N(0, init_std) by name, norm gains 1) in float32 or float64, with the fastest
     * element-wise kernels this JVM can run ({@link Kernels#forType}).
     */
    public static Transformer create(ModelConfig config, LossConfig losses, long seed, DataType dtype) {
        return create(config, losses, seed, dtype, Kernels.forType(dtype));
    }

    /** As {@link #create(ModelConfig, LossConfig, long, DataType)} with the given kernels. */
    public static Transformer create(ModelConfig config, LossConfig losses, long seed, DataType dtype, Kernels kernels) {
        if (dtype != DataType.FLOAT && dtype != DataType.DOUBLE) {
            throw new IllegalArgumentException("dtype: the engine runs in FLOAT or DOUBLE, got " + dtype);
        }
        return new Transformer(config, losses, declare(config).build(dtype, seed, config.initStd()), kernels);
    }

    /** A new RMSNorm over the gain {@code name} (its buffers are allocated by the user). */
    RmsNorm norm(String name) {
        return new RmsNorm(params, kernels, name, config.normEps());
    }

    /** A new FFN module of layer i over this model's parameters. */
    Ffn ffn(int i) {
        String prefix = ParamNames.layer(i) + ".ffn";
        return config.ffnSpec() instanceof FfnSpec.Routed routed
                ? new RoutedFfn(params, kernels, prefix, routed, losses, config.dModel(), config.temporal(), i,
                config.seqLen())
                : new DenseFfn(params, kernels, prefix, ((FfnSpec.Dense) config.ffnSpec()).width());
    }

    /** A new final norm + output projection over this model's parameters. */
    LmHead head() {
        return new LmHead(params, kernels, ParamNames.FINAL_NORM, config.normEps());
    }

    Kernels kernels() {
        return kernels;
    }

    /**
     * An incremental decoder for one sequence with a key/value cache over this model's parameters (shared, so
     * it sees every update). Up to seq_len positions.
     */
    public Decoder decoder() {
        return new Decoder(this);
    }

    /** The model's tensors in model order (input to output). */
    static ParamStore.Builder declare(ModelConfig c) {
        int d = c.dModel();
        ParamStore.Builder b = new ParamStore.Builder();
        b.matrix(ParamNames.TOK_EMBEDDINGS, c.vocabSize(), d);
        for (int i = 0; i < c.nLayers(); i++) {
            String layer = ParamNames.layer(i);
            b.gain(layer + ".attention_norm.weight", d);
            for (String w : List.of("wq", "wk", "wv", "wo")) b.matrix(layer + ".attention." + w + ".weight", d, d);
            b.gain(layer + ".ffn_norm.weight", d);
            if (c.ffnSpec() instanceof FfnSpec.Routed routed) {
                RoutedFfn.declare(b, layer + ".ffn", routed, d, c.temporal());
            } else {
                SwiGlu.declare(b, layer + ".ffn", d, ((FfnSpec.Dense) c.ffnSpec()).width());
            }
        }
        b.gain(ParamNames.FINAL_NORM, d);
        b.matrix(LmHead.WEIGHT, d, c.vocabSize());
        return b;
    }

    public ModelConfig config() {
        return config;
    }

    public ParamStore params() {
        return params;
    }

    /** How the switch controllers decide from now on (no effect without controllers). */
    public void switchPolicy(SwitchPolicy p) {
        policy = p;
        for (Ffn f : ffns) if (f instanceof RoutedFfn r) r.policy(p);
    }

    public SwitchPolicy switchPolicy() {
        return policy;
    }

    /**
     * When true, {@link #forwardBackward} computes only the switch controllers' gradients (the rest of the model is
     * frozen, so no backward through the network is needed); the other gradients stay untouched.
     */
    public void trainControllersOnly(boolean only) {
        if (only && !config.hasController()) {
            throw new IllegalArgumentException("trainer.trainable: [controller] needs model.temporal.controller: true");
        }
        controllersOnly = only;
    }

    /**
     * Forward and backward of one micro-batch: adds gradScale x dLoss/dtheta to the gradient buffer.
     *
     * @param groupAuxScale 0 or 1: whether the group-wise loss is active at this step (its start schedule)
     * @param gradScale     factor on this micro-batch's gradients, e.g. 1 / grad_accum
     */
    public Result forwardBackward(Batch b, double groupAuxScale, double gradScale) {
        return forwardBackward(b, groupAuxScale, gradScale, null);
    }

    /**
     * As {@link #forwardBackward(Batch, double, double)}, with the teacher's logits for self-distillation.
     *
     * @param teacherLogits [B, T, V] the frozen original model's logits of this batch; needed when
     *                      losses.distill_coef > 0, else null
     */
    public Result forwardBackward(Batch b, double groupAuxScale, double gradScale, INDArray teacherLogits) {
        Result result = forward(b, groupAuxScale, true, teacherLogits);
        if (config.hasController() && policy.sampled()) {
            double[][] dz = SwitchEstimator.gradients(tokenLoss, result.switchProb(), result.switched(), b.sequences(),
                    b.seqLen(), config.temporal().deliberationCost(), gradScale);
            int k = 0;
            for (Ffn f : ffns) if (f instanceof RoutedFfn r) r.switchGradient(dz[k++]);
        }
        if (controllersOnly) {
            for (Ffn f : ffns) if (f instanceof RoutedFfn r) r.controllerBackward();
            return result;
        }
        dx.assign(0);
        head.backward(gradScale, dx);
        for (int i = config.nLayers() - 1; i >= 0; i--) {
            ffns[i].backward(dx, dBranch, gradScale);
            ffnNorms[i].backward(dBranch, dx);
            attentions[i].backward(dx, dBranch);
            attentionNorms[i].backward(dBranch, dx);
        }
        Rows.scatterAdd(dx, tokens, null, tokens.length, embeddingGrad);
        return result;
    }

    /** Forward only: every loss term and the routing decisions. */
    public Result forward(Batch b, double groupAuxScale) {
        return forward(b, groupAuxScale, false, null);
    }

    /** Forward only, with the teacher's logits: the training objective's value including self-distillation. */
    public Result forward(Batch b, double groupAuxScale, INDArray teacherLogits) {
        return forward(b, groupAuxScale, false, teacherLogits);
    }

    private Result forward(Batch b, double groupAuxScale, boolean withGradient, INDArray teacherLogits) {
        trunk(b);
        double lm;
        double kl = 0;
        boolean distill = losses.hasDistillation() && (withGradient || teacherLogits != null);
        if (distill && teacherLogits == null) {
            throw new IllegalArgumentException("losses.distill_coef: self-distillation needs the teacher's logits "
                    + "(trainer.init_from names the original model)");
        }
        boolean perToken = distill || (withGradient && (losses.lmCoef() != 1 || (config.hasController() && policy.sampled())));
        if (perToken) {
            tokenLoss = new double[b.positions()];
            double[] terms = head.forwardTokens(x[2 * config.nLayers()], b, losses.lmCoef(),
                    distill ? losses.distillCoef() : 0, distill ? teacherLogits : null, tokenLoss, withGradient);
            lm = terms[0];
            kl = terms[1];
        } else {
            lm = head.forward(x[2 * config.nLayers()], b, withGradient);
        }
        double group = 0, intra = 0, sw = 0, z = 0;
        List<RoutedFfn.Routing> routings = new ArrayList<>();
        for (Ffn ffn : ffns) {
            if (ffn instanceof RoutedFfn routed) {
                RouterAux.Values v = routed.auxLosses(groupAuxScale);
                group += v.group();
                intra += v.intra();
                sw += v.switchLoss();
                z += v.z();
                routings.add(routed.routing());
            }
        }
        double[][] switchProb = config.hasController()
                ? routings.stream().map(RoutedFfn.Routing::switchProb).toArray(double[][]::new) : new double[0][];
        boolean[][] switched = config.hasController()
                ? routings.stream().map(RoutedFfn.Routing::switched).toArray(boolean[][]::new) : new boolean[0][];
        double delib = SwitchEstimator.cost(switched, b.sequences(), b.seqLen(), config.temporal().deliberationCost());
        double task = perToken ? losses.lmCoef() * lm + (distill ? losses.distillCoef() * kl : 0) : lm;
        Map<String, Double> terms = new LinkedHashMap<>();
        terms.put(LossNames.TOTAL, task + group + intra + sw + z + delib);
        terms.put(LossNames.LM, lm);
        terms.put(LossNames.GROUP_AUX, group);
        terms.put(LossNames.INTRA_AUX, intra);
        terms.put(LossNames.SWITCH_AUX, sw);
        terms.put(LossNames.Z_LOSS, z);
        if (config.hasController()) terms.put(LossNames.DELIB_COST, delib);
        if (distill) terms.put(LossNames.DISTILL, kl);
        long dropped = routings.stream().mapToLong(RoutedFfn.Routing::dropped).sum();
        return new Result(terms, routings.stream().map(RoutedFfn.Routing::tokensPerExpert).toArray(long[][]::new),
                routings.stream().map(RoutedFfn.Routing::tokensPerGroup).toArray(long[][]::new),
                routings.stream().map(RoutedFfn.Routing::topExpert).toArray(int[][]::new), dropped,
                routings.stream().map(RoutedFfn.Routing::expertSets).toArray(int[][]::new), switchProb, switched);
    }

    /** Logits of every position, a copy [B, T, V]. */
    public INDArray logits(Batch b) {
        trunk(b);
        return head.logits(x[2 * config.nLayers()]).dup().reshape(b.sequences(), b.seqLen(), config.vocabSize());
    }

    /** Embedding and every layer, leaving the final residual state in x[2L]. */
    private void trunk(Batch b) {
        check(b);
        allocate(b.sequences());
        tokens = b.tokens();
        Rows.gather(embedding, tokens, tokens.length, x[0]);
        for (int i = 0; i < config.nLayers(); i++) {
            attentions[i].forward(attentionNorms[i].forward(x[2 * i]), branch);
            x[2 * i].add(branch, x[2 * i + 1]);
            ffns[i].forward(ffnNorms[i].forward(x[2 * i + 1]), branch);
            x[2 * i + 1].add(branch, x[2 * i + 2]);
        }
    }

    /**
     * Auxiliary-loss-free balancing (DeepSeek-V3), once per optimizer step with the step's tokens-per-expert
     * counts (summed over micro-batches): {@code bias_e -= gamma * sign(load_e - mean load of e's group)}; the
     * mean is over the experts of the same group (over all experts for one group). No-op when gamma = 0.
     */
    public void updateRouterBiases(long[][] tokensPerExpert) {
        if (!(config.ffnSpec() instanceof FfnSpec.Routed routed) || routed.biasUpdateRate() == 0) return;
        int groupSize = routed.expertsPerGroup();
        for (int i = 0; i < config.nLayers(); i++) {
            INDArray bias = params.state().get(ParamNames.expertBias(i));
            long[] load = tokensPerExpert[i];
            if (load.length != bias.length()) {
                throw new IllegalArgumentException("tokens_per_expert of layer " + i + ": expected " + bias.length()
                        + " loads, got " + load.length);
            }
            double[] b = Rows.read(bias);
            for (int start = 0; start < b.length; start += groupSize) {
                double mean = 0;
                for (int e = start; e < start + groupSize; e++) mean += (double) load[e] / groupSize;
                for (int e = start; e < start + groupSize; e++) b[e] -= routed.biasUpdateRate() * Math.signum(load[e] - mean);
            }
            Rows.write(b, bias);
        }
    }

    private void check(Batch b) {
        if (b.seqLen() != config.seqLen()) {
            throw new IllegalArgumentException("batch: sequences of " + b.seqLen() + " positions, but model.seq_len = "
                    + config.seqLen());
        }
        int v = config.vocabSize();
        for (int i = 0; i < b.positions(); i++) {
            if (b.tokens()[i] < 0 || b.tokens()[i] >= v || (b.mask()[i] != 0 && (b.targets()[i] < 0 || b.targets()[i] >= v))) {
                throw new IllegalArgumentException("batch: position " + i + " holds token " + b.tokens()[i] + " / target "
                        + b.targets()[i] + " outside the vocabulary 0.." + (v - 1) + " (model.vocab_size = " + v + ")");
            }
        }
    }

    private void allocate(int sequences) {
        if (sequences == batch) return;
        batch = sequences;
        int n = sequences * config.seqLen();
        int d = config.dModel();
        DataType dt = params.dtype();
        x = new INDArray[2 * config.nLayers() + 1];
        for (int i = 0; i < x.length; i++) x[i] = Ops.zeros(dt, n, d);
        branch = Ops.zeros(dt, n, d);
        dx = Ops.zeros(dt, n, d);
        dBranch = Ops.zeros(dt, n, d);
        for (int i = 0; i < config.nLayers(); i++) {
            attentionNorms[i].allocate(n, d);
            attentions[i].allocate(sequences);
            ffnNorms[i].allocate(n, d);
            ffns[i].allocate(n);
        }
        head.allocate(n, d, config.vocabSize());
    }
}
