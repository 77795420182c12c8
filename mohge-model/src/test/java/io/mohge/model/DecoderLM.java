package io.mohge.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mohge.losses.LmLoss;
import io.mohge.losses.LossConfig;
import io.mohge.losses.LossNames;

/**
 * Decoder-only language model as one SameDiff graph (pre-norm, Llama-style; docs/method.md sections 1-5):
 * <pre>
 *   x = onehot(tokens) E                       [N, D]   N = B*T, E = tok_embeddings.weight [V, D]
 *   for each layer i:
 *     h = x + Attention(RMSNorm(x))            [N, D]   causal, RoPE
 *     x = h + FFN(RMSNorm(h))                  [N, D]   dense SwiGLU | top-k MoE | MoHGE
 *   logits = RMSNorm(x) W_out                  [N, V] -> "logits" [B, T, V]
 *   loss = lm_loss + group_aux_scale * sum_i L_group,i + sum_i (L_intra,i + L_switch,i + L_z,i)
 * </pre>
 * Placeholders: {@code tokens} [B, T] INT, {@code targets} [B, T] INT, {@code loss_mask} [B, T] (1 = counted),
 * {@code group_aux_scale} scalar. B is free, T must equal seq_len. The trainer applies the group-loss start
 * step through {@code group_aux_scale}: it feeds 0 while step <= group_start_fraction * total_steps and 1 after
 * (docs/method.md section 3: the reference applies beta only in the second half of training).
 * Named outputs: {@link LossNames#ALL}, {@code logits}, and per routed layer {@link #routingOutputNames}.
 *
 * <p>The embedding uses a one-hot matmul because gather has no working backprop in ND4J 1.0.0-M2.1.
 */
public final class DecoderLM {

    public static final String TOKENS = "tokens";
    public static final String TARGETS = "targets";
    public static final String LOSS_MASK = "loss_mask";
    public static final String GROUP_AUX_SCALE = "group_aux_scale";
    public static final String LOGITS = "logits";

    private static final Logger LOG = LoggerFactory.getLogger(DecoderLM.class);

    private final SameDiff sd;
    private final ModelConfig config;
    private final List<String> trainable;
    private final List<String> decayExcluded;
    private final List<String> state;

    private DecoderLM(SameDiff sd, ModelConfig config, Params params) {
        this.sd = sd;
        this.config = config;
        this.trainable = params.trainable();
        this.decayExcluded = params.decayExcluded();
        this.state = params.state();
    }

    /** Float32 training graph with sparse expert dispatch. */
    public static DecoderLM build(ModelConfig config, LossConfig losses, long seed) {
        return build(config, losses, seed, DataType.FLOAT);
    }

    /** Training graph in the given floating-point type (DOUBLE for gradient checks). */
    public static DecoderLM build(ModelConfig config, LossConfig losses, long seed, DataType dtype) {
        return build(config, losses, seed, dtype, false);
    }

    /**
     * @param denseOracle true = run every expert on every token and mask by the gates (test oracle only; same
     *                    parameters and names as the sparse graph for the same seed)
     */
    static DecoderLM build(ModelConfig config, LossConfig losses, long seed, DataType dtype, boolean denseOracle) {
        if (!dtype.isFPType()) throw new IllegalArgumentException("dtype: need a floating-point type, got " + dtype);
        SameDiff sd = SameDiff.create();
        Params params = new Params(sd, dtype, seed, config.initStd());
        int t = config.seqLen();
        int d = config.dModel();
        int v = config.vocabSize();

        SDVariable tokens = sd.placeHolder(TOKENS, DataType.INT, -1, t);                          // [B, T]
        SDVariable targets = sd.placeHolder(TARGETS, DataType.INT, -1, t);                        // [B, T]
        SDVariable lossMask = sd.placeHolder(LOSS_MASK, dtype, -1, t);                            // [B, T]
        SDVariable groupScale = sd.placeHolder(GROUP_AUX_SCALE, dtype);                           // scalar

        SDVariable embedding = params.matrix(ParamNames.TOK_EMBEDDINGS, v, d);                   // [V, D]
        SDVariable x = sd.mmul(sd.oneHot(sd.reshape(tokens, -1), v, -1, 1.0, 0.0, dtype), embedding); // [N, D]

        Attention attention = new Attention(params, config);
        List<SDVariable> group = new ArrayList<>();
        List<SDVariable> intra = new ArrayList<>();
        List<SDVariable> sw = new ArrayList<>();
        List<SDVariable> z = new ArrayList<>();
        for (int i = 0; i < config.nLayers(); i++) {
            String layer = ParamNames.layer(i);
            SDVariable a = RmsNorm.apply(params, layer + ".attention_norm.weight", x, d, config.normEps());
            SDVariable h = x.add(attention.apply(params, layer + ".attention", a));               // [N, D]
            SDVariable u = RmsNorm.apply(params, layer + ".ffn_norm.weight", h, d, config.normEps());
            if (config.ffn() == ModelConfig.FfnType.DENSE) {
                x = h.add(new SwiGluFfn(params, layer + ".ffn", d, config.dense().width()).apply(sd, u));
            } else {
                MoeLayer.Output out = MoeLayer.build(params, i, config, losses, u, denseOracle);
                x = h.add(out.y());                                                               // [N, D]
                group.add(out.groupAux());
                intra.add(out.intraAux());
                sw.add(out.switchAux());
                z.add(out.zLoss());
            }
        }
        SDVariable normed = RmsNorm.apply(params, ParamNames.FINAL_NORM, x, d, config.normEps());
        SDVariable logits = sd.mmul(normed, params.matrix(ParamNames.OUTPUT, d, v));              // [N, V]
        sd.reshape(LOGITS, logits, -1, t, v);                                                     // [B, T, V]

        SDVariable lm = sd.identity(LossNames.LM, LmLoss.crossEntropy(sd, logits, sd.reshape(targets, -1),
                sd.reshape(lossMask, -1), v));
        SDVariable groupAux = sd.identity(LossNames.GROUP_AUX, sum(params, group).mul(groupScale));
        SDVariable intraAux = sd.identity(LossNames.INTRA_AUX, sum(params, intra));
        SDVariable switchAux = sd.identity(LossNames.SWITCH_AUX, sum(params, sw));
        SDVariable zLoss = sd.identity(LossNames.Z_LOSS, sum(params, z));
        sd.identity(LossNames.TOTAL, lm.add(groupAux).add(intraAux).add(switchAux).add(zLoss));
        sd.setLossVariables(LossNames.TOTAL);
        LOG.debug("built {} LM: {} trainable tensors, {} state tensors", config.ffn(), params.trainable().size(),
                params.state().size());
        return new DecoderLM(sd, config, params);
    }

    private static SDVariable sum(Params params, List<SDVariable> terms) {
        SDVariable total = params.constant(Nd4j.scalar(0.0));
        for (SDVariable term : terms) total = total.add(term);
        return total;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    public ModelConfig config() {
        return config;
    }

    /** Names of all trained variables, in creation order (input to output). */
    public List<String> trainableParams() {
        return trainable;
    }

    /**
     * Trainable variables excluded from weight decay: the RMSNorm gains (1-D). Embedding and output matrices are
     * decayed like every other matrix (nanoGPT's choice); the router bias is state, not a trainable parameter.
     */
    public List<String> decayExcluded() {
        return decayExcluded;
    }

    /** Non-trained model state saved with the graph: the aux-loss-free router biases (empty when disabled). */
    public List<String> stateNames() {
        return state;
    }

    /** Scalar loss outputs, total first: loss, lm_loss, group_aux, intra_aux, switch_aux, z_loss. */
    public List<String> lossTermNames() {
        return LossNames.ALL;
    }

    /** Routing outputs of layer i (empty for a dense model); group_logits only when the layer has a group router. */
    public List<String> routingOutputNames(int layer) {
        if (config.ffn() == ModelConfig.FfnType.DENSE) return List.of();
        List<String> names = new ArrayList<>();
        for (String name : MoeLayer.OUTPUTS) {
            String full = ParamNames.layer(layer) + "." + name;
            if (sd.hasVariable(full)) names.add(full);
        }
        return names;
    }

    public ParamCount paramCount() {
        return ParamCount.of(config);
    }

    /** Placeholder map for one batch. */
    public Map<String, INDArray> feed(INDArray tokens, INDArray targets, INDArray lossMask, double groupAuxScale) {
        DataType dtype = sd.getVariable(LOSS_MASK).dataType();
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(TOKENS, tokens.castTo(DataType.INT));
        feed.put(TARGETS, targets.castTo(DataType.INT));
        feed.put(LOSS_MASK, lossMask.castTo(dtype));
        feed.put(GROUP_AUX_SCALE, Nd4j.scalar(dtype, groupAuxScale));
        return feed;
    }

    /**
     * Auxiliary-loss-free balancing (DeepSeek-V3; docs/method.md section 7), called once per optimiser step with the
     * step's {@code layers.{i}.tokens_per_expert} outputs (summed over micro-batches if accumulating):
     * {@code bias_e -= gamma if load_e > mean, += gamma if load_e < mean}. The mean is taken over the experts of
     * the same group for mohge (groups are meant to carry different loads under the group-wise loss) and over
     * all experts for moe. The bias only changes which experts are selected, never the gate values.
     * No-op when router.bias_update_rate = 0.
     */
    public void updateRouterBiases(Map<String, INDArray> tokensPerExpert) {
        double gamma = config.router().biasUpdateRate();
        if (gamma == 0 || config.ffn() == ModelConfig.FfnType.DENSE) return;
        int groupSize = config.ffn() == ModelConfig.FfnType.MOHGE
                ? config.mohge().expertsPerGroup() : config.moe().experts();
        for (int i = 0; i < config.nLayers(); i++) {
            String key = ParamNames.layer(i) + ".tokens_per_expert";
            INDArray load = tokensPerExpert.get(key);
            if (load == null) {
                throw new IllegalArgumentException(key + ": missing from the loads passed to updateRouterBiases; "
                        + "request every layer's tokens_per_expert output");
            }
            INDArray bias = sd.getArrForVarName(ParamNames.expertBias(i));
            if (load.length() != bias.length()) {
                throw new IllegalArgumentException(key + ": expected " + bias.length() + " loads, got " + load.length());
            }
            for (int start = 0; start < bias.length(); start += groupSize) {
                double mean = 0;
                for (int e = start; e < start + groupSize; e++) mean += load.getDouble(e) / groupSize;
                for (int e = start; e < start + groupSize; e++) {
                    double delta = -gamma * Math.signum(load.getDouble(e) - mean);
                    bias.putScalar(e, bias.getDouble(e) + delta);
                }
            }
        }
    }
}
