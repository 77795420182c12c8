package io.mohge.model;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.AuxLosses;
import io.mohge.losses.LossConfig;
import io.mohge.losses.RouterLosses;

/**
 * A routed FFN layer: router, experts, optional shared experts, capacity limit and the layer's auxiliary
 * losses. {@code ffn = moe} uses {@link TopKRouter} over E equal experts; {@code ffn = mohge} uses
 * {@link TwoLevelRouter} over G groups of N experts with group widths s_g (docs/method.md sections 1-4).
 *
 * <p>Parameter names (weights stored [in, out]), prefix {@code layers.{i}.ffn}:
 * {@code router.group.weight} [D, G] (mohge with G > 1), {@code router.expert.weight} [D, E],
 * {@code experts.{e}.{w1,w3}.weight} [D, s_e], {@code experts.{e}.w2.weight} [s_e, D],
 * {@code shared.{w1,w2,w3}.weight} (all shared experts fused into one SwiGLU of width count*width, which is
 * the same function as their sum), state {@code router.expert_bias} [E] when bias_update_rate > 0.
 *
 * <p>Routing outputs, prefix {@code layers.{i}}: see {@link #OUTPUTS}.
 */
final class MoeLayer {

    /** Per-layer graph outputs ({@code layers.{i}.<name>}), shapes for N = B*T positions. */
    static final List<String> OUTPUTS = List.of(
            "expert_logits",     // [N, E] b_t
            "group_logits",      // [N, G] a_t (mohge with G > 1 only)
            "group_probs",       // [N, G] p_{t,g}
            "selected_groups",   // [N, K_g] INT
            "q",                 // [N, E] q_{t,e} (softmax probabilities for moe)
            "selected_experts",  // [N, K] INT
            "gates",             // [N, E] w_{t,e}
            "tokens_per_expert", // [E] routed assignments per expert (before capacity drops)
            "tokens_per_group",  // [G] tokens whose selected groups contain g
            "dropped_tokens");   // scalar, assignments dropped by the capacity limit

    /** The layer's contribution to the residual stream and its auxiliary loss terms (coefficients included). */
    record Output(SDVariable y, SDVariable groupAux, SDVariable intraAux, SDVariable switchAux, SDVariable zLoss) {
        Output withY(SDVariable output) {
            return new Output(output, groupAux, intraAux, switchAux, zLoss);
        }
    }

    private MoeLayer() {
    }

    /**
     * @param u           [N, D] normalised hidden states
     * @param denseOracle true = run every expert on every token (test oracle), false = sparse dispatch
     */
    static Output build(Params params, int layer, ModelConfig cfg, LossConfig losses, SDVariable u,
                        boolean denseOracle) {
        SameDiff sd = params.sd();
        String prefix = ParamNames.layer(layer) + ".ffn";
        boolean mohge = cfg.ffn() == ModelConfig.FfnType.MOHGE;
        int experts = mohge ? cfg.mohge().experts() : cfg.moe().experts();
        int topK = mohge ? cfg.mohge().topK() : cfg.moe().topK();
        if (experts < 2) {
            throw new IllegalArgumentException("experts: a routed layer needs at least 2 experts, got " + experts
                    + "; use ffn: dense for a single FFN");
        }

        SDVariable bias = cfg.router().biasUpdateRate() > 0
                ? params.state(ParamNames.expertBias(layer), Nd4j.zeros(experts)) : null;
        Routing routing = mohge
                ? TwoLevelRouter.route(params, prefix + ".router", u, cfg.dModel(), cfg.mohge(), bias)
                : TopKRouter.route(params, prefix + ".router", u, cfg.dModel(), experts, topK, bias);

        List<SwiGluFfn> ffns = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            int width = mohge ? cfg.mohge().width(e / cfg.mohge().expertsPerGroup()) : cfg.moe().width();
            ffns.add(new SwiGluFfn(params, prefix + ".experts." + e, cfg.dModel(), width));
        }

        double factor = cfg.router().capacityFactor();
        ExpertDispatcher.Capacity capacity = factor > 0
                ? ExpertDispatcher.capacity(sd, routing.selectedExperts(), experts, topK, factor, params.dtype())
                : null;
        SDVariable y;
        if (denseOracle) {
            SDVariable effective = capacity == null ? routing.gates() : routing.gates().mul(capacity.keptMask());
            y = ExpertDispatcher.denseMasked(sd, u, effective, ffns);
        } else {
            y = ExpertDispatcher.sparse(sd, u, routing.selectedExperts(), routing.gates(),
                    capacity == null ? null : capacity.keep(), ffns, topK, cfg.dModel());
        }
        if (cfg.shared().count() > 0) {
            int width = cfg.shared().count() * cfg.shared().width();
            y = y.add(new SwiGluFfn(params, prefix + ".shared", cfg.dModel(), width).apply(sd, u));
        }

        String out = ParamNames.layer(layer) + ".";
        sd.identity(out + "expert_logits", routing.expertLogits());
        if (routing.groupLogits() != null) sd.identity(out + "group_logits", routing.groupLogits());
        sd.identity(out + "group_probs", routing.groupProbs());
        sd.identity(out + "selected_groups", routing.selectedGroups());
        sd.identity(out + "q", routing.q());
        sd.identity(out + "selected_experts", routing.selectedExperts());
        sd.identity(out + "gates", routing.gates());
        sd.identity(out + "tokens_per_expert", sd.sum(routing.expertMask(), 0));
        sd.identity(out + "tokens_per_group", sd.sum(routing.groupMask(), 0));
        sd.identity(out + "dropped_tokens", capacity == null ? zero(params) : capacity.dropped());

        return auxLosses(params, cfg, losses, routing, mohge, experts, topK).withY(y);
    }

    private static Output auxLosses(Params params, ModelConfig cfg, LossConfig losses, Routing r, boolean mohge,
                                    int experts, int topK) {
        SameDiff sd = params.sd();
        int perGroup = mohge ? cfg.mohge().expertsPerGroup() : experts;
        int groupTopK = mohge ? cfg.mohge().groupTopK() : 1;
        SDVariable group = zero(params);
        if (r.groupLogits() != null && losses.groupCoef() > 0) {
            double[] cost = RouterLosses.costWeights(cfg.mohge().widths(), losses.groupInterval());
            group = AuxLosses.groupAux(sd, r.groupLogits(), r.groupMask(), cost, groupTopK, losses.groupCoef());
        }
        SDVariable intra = losses.intraCoef() > 0
                ? AuxLosses.intraAux(sd, r.gates(), r.expertMask(), perGroup, groupTopK, topK, losses.intraCoef())
                : zero(params);
        SDVariable sw = losses.switchCoef() > 0
                ? AuxLosses.switchAux(sd, r.q(), r.expertMask(), experts, topK, losses.switchCoef())
                : zero(params);
        SDVariable z = zero(params);
        if (losses.zCoef() > 0) {
            z = r.groupLogits() == null ? AuxLosses.zLoss(sd, losses.zCoef(), r.expertLogits())
                    : AuxLosses.zLoss(sd, losses.zCoef(), r.groupLogits(), r.expertLogits());
        }
        return new Output(null, group, intra, sw, z);
    }

    private static SDVariable zero(Params params) {
        return params.constant(Nd4j.scalar(0.0));
    }
}
