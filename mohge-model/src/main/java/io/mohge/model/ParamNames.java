package io.mohge.model;

/**
 * Stable parameter names (they become tensor names in safetensors exports). Matrices are stored [in, out]
 * (x W), i.e. transposed with respect to PyTorch's nn.Linear [out, in].
 * <pre>
 *   tok_embeddings.weight                       [V, D]
 *   layers.{i}.attention_norm.weight            [D]
 *   layers.{i}.attention.{wq,wk,wv,wo}.weight   [D, D]
 *   layers.{i}.ffn_norm.weight                  [D]
 *   layers.{i}.ffn.{w1,w3}.weight [D, F], layers.{i}.ffn.w2.weight [F, D]            (dense)
 *   layers.{i}.ffn.router.group.weight          [D, G]     (mohge, G > 1)
 *   layers.{i}.ffn.router.expert.weight         [D, E]
 *   layers.{i}.ffn.experts.{e}.{w1,w2,w3}.weight                                      (moe, mohge)
 *   layers.{i}.ffn.shared.{w1,w2,w3}.weight                                           (shared.count > 0)
 *   layers.{i}.ffn.router.expert_bias           [E]        state, not trained (bias_update_rate > 0)
 *   layers.{i}.ffn.controller.weight [D, 1], layers.{i}.ffn.controller.bias [1]    (model.temporal.controller)
 *   norm.weight                                 [D]
 *   output.weight                               [D, V]
 * </pre>
 */
public final class ParamNames {

    public static final String TOK_EMBEDDINGS = "tok_embeddings.weight";
    public static final String FINAL_NORM = "norm.weight";
    public static final String OUTPUT = "output.weight";

    private ParamNames() {
    }

    /** {@code layers.{i}}. */
    public static String layer(int i) {
        return "layers." + i;
    }

    /** Switch-controller weight [D, 1] of layer i (docs/temporal.md). */
    public static String controllerWeight(int i) {
        return layer(i) + ".ffn.controller.weight";
    }

    /** Switch-controller bias [1] of layer i. */
    public static String controllerBias(int i) {
        return layer(i) + ".ffn.controller.bias";
    }

    /** True for the switch controllers' parameters. */
    public static boolean isController(String name) {
        return name.matches("layers\\.\\d+\\.ffn\\.controller\\..*");
    }

    /** Aux-loss-free balancing bias of layer i (model state, DeepSeek-V3). */
    public static String expertBias(int i) {
        return layer(i) + ".ffn.router.expert_bias";
    }
}
