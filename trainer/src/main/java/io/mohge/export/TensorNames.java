package io.mohge.export;

/**
 * Names of the tensors in an exported {@code model.safetensors} (scheme {@value #SCHEME}, also written to
 * config.json as {@code tensor_name_scheme} and to the file's metadata).
 *
 * <p>Exported names are the model's own SameDiff variable names, unchanged, so that an export and the
 * checkpoint it came from name every tensor the same way ({@link io.mohge.model.ParamNames} is the
 * reference list):
 * <pre>
 *   tok_embeddings.weight                             [V, D]
 *   layers.{i}.attention_norm.weight                  [D]
 *   layers.{i}.attention.{wq,wk,wv,wo}.weight         [D, D]
 *   layers.{i}.ffn_norm.weight                        [D]
 *   layers.{i}.ffn.{w1,w3}.weight [D, F], .w2.weight [F, D]          dense FFN
 *   layers.{i}.ffn.router.group.weight                [D, G]         mohge with G > 1
 *   layers.{i}.ffn.router.expert.weight               [D, E]
 *   layers.{i}.ffn.experts.{e}.{w1,w3}.weight [D, s_e], .w2.weight [s_e, D]   e = logical expert g*N + j
 *   layers.{i}.ffn.shared.{w1,w3}.weight [D, count*width], .w2.weight [count*width, D]
 *   layers.{i}.ffn.router.expert_bias                 [E]            router.bias_update_rate > 0
 *   norm.weight                                       [D]
 *   output.weight                                     [D, V]
 * </pre>
 * Matrices keep SameDiff's layout {@code [in, out]} (the model computes {@code x W}); a PyTorch
 * {@code nn.Linear} stores the transpose {@code [out, in]}. The router balancing biases (auxiliary-loss-free
 * balancing) are exported because expert selection at inference depends on them. Experts are stored in
 * logical order; placement.json maps them to expert-parallel ranks.
 */
public final class TensorNames {

    public static final String SCHEME = "mohge-j-samediff-v1";

    private TensorNames() { }

    /** Exported name of a checkpoint tensor. */
    public static String exported(String checkpointName) {
        if (checkpointName == null || checkpointName.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        return checkpointName;
    }
}
