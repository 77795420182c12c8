package io.mohge.export;

import io.mohge.config.BadInputException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of the tensors in an exported {@code model.safetensors} (scheme {@value #SCHEME}, also written to
 * config.json as {@code tensor_name_scheme} and to the file's metadata). Checkpoints keep the model's own
 * SameDiff names ({@link io.mohge.model.ParamNames}); only the export renames, with the Hugging Face
 * (Llama / Mixtral style) names below, and stores every matrix {@code [out, in]} like {@code nn.Linear}:
 * <pre>
 *   checkpoint name [in, out]                    exported name [out, in]
 *   tok_embeddings.weight [V, D]                 model.embed_tokens.weight [V, D]          (not transposed)
 *   layers.{i}.attention_norm.weight             model.layers.{i}.input_layernorm.weight
 *   layers.{i}.attention.{wq,wk,wv,wo}.weight    model.layers.{i}.self_attn.{q,k,v,o}_proj.weight
 *   layers.{i}.ffn_norm.weight                   model.layers.{i}.post_attention_layernorm.weight
 *   layers.{i}.ffn.{w1,w3,w2}.weight             model.layers.{i}.mlp.{gate,up,down}_proj.weight     (dense)
 *   layers.{i}.ffn.router.group.weight [D, G]    model.layers.{i}.mlp.router.group.weight [G, D]
 *   layers.{i}.ffn.router.expert.weight [D, E]   model.layers.{i}.mlp.router.expert.weight [E, D]
 *   layers.{i}.ffn.router.expert_bias [E]        model.layers.{i}.mlp.router.expert_bias [E]
 *   layers.{i}.ffn.experts.{e}.{w1,w3,w2}.weight model.layers.{i}.mlp.experts.{e}.{gate,up,down}_proj.weight
 *   layers.{i}.ffn.shared.{w1,w3,w2}.weight      model.layers.{i}.mlp.shared_experts.{gate,up,down}_proj.weight
 *   norm.weight                                  model.norm.weight
 *   output.weight [D, V]                         lm_head.weight [V, D]
 * </pre>
 * SwiGLU: {@code gate = w1}, {@code up = w3}, {@code down = w2}, i.e. {@code down(silu(gate x) * up x)}.
 * Experts are in logical order {@code e = g*N + j}; placement.json maps them to expert-parallel ranks.
 */
public final class TensorNames {

    public static final String SCHEME = "mohge-hf-v1";

    /** One exported tensor: its name in the export and whether its matrix is transposed on the way. */
    public record Exported(String name, boolean transposed) { }

    private record Rule(Pattern checkpoint, String checkpointTemplate, Pattern exported, String exportedTemplate,
                        boolean transpose) {
        static Rule of(String checkpoint, String exported, boolean transpose) {
            return new Rule(regex(checkpoint), checkpoint, regex(exported), exported, transpose);
        }

        /** {@code layers.{i}.x} -> {@code layers\.(?<i>\d+)\.x}. */
        private static Pattern regex(String template) {
            String quoted = Pattern.quote(template)
                    .replace("{i}", "\\E(?<i>0|[1-9]\\d*)\\Q")
                    .replace("{e}", "\\E(?<e>0|[1-9]\\d*)\\Q");
            return Pattern.compile(quoted);
        }
    }

    private static final List<Rule> RULES = List.of(
            Rule.of("tok_embeddings.weight", "model.embed_tokens.weight", false),
            Rule.of("layers.{i}.attention_norm.weight", "model.layers.{i}.input_layernorm.weight", false),
            Rule.of("layers.{i}.attention.wq.weight", "model.layers.{i}.self_attn.q_proj.weight", true),
            Rule.of("layers.{i}.attention.wk.weight", "model.layers.{i}.self_attn.k_proj.weight", true),
            Rule.of("layers.{i}.attention.wv.weight", "model.layers.{i}.self_attn.v_proj.weight", true),
            Rule.of("layers.{i}.attention.wo.weight", "model.layers.{i}.self_attn.o_proj.weight", true),
            Rule.of("layers.{i}.ffn_norm.weight", "model.layers.{i}.post_attention_layernorm.weight", false),
            Rule.of("layers.{i}.ffn.w1.weight", "model.layers.{i}.mlp.gate_proj.weight", true),
            Rule.of("layers.{i}.ffn.w3.weight", "model.layers.{i}.mlp.up_proj.weight", true),
            Rule.of("layers.{i}.ffn.w2.weight", "model.layers.{i}.mlp.down_proj.weight", true),
            Rule.of("layers.{i}.ffn.router.group.weight", "model.layers.{i}.mlp.router.group.weight", true),
            Rule.of("layers.{i}.ffn.router.expert.weight", "model.layers.{i}.mlp.router.expert.weight", true),
            Rule.of("layers.{i}.ffn.router.expert_bias", "model.layers.{i}.mlp.router.expert_bias", false),
            Rule.of("layers.{i}.ffn.experts.{e}.w1.weight", "model.layers.{i}.mlp.experts.{e}.gate_proj.weight", true),
            Rule.of("layers.{i}.ffn.experts.{e}.w3.weight", "model.layers.{i}.mlp.experts.{e}.up_proj.weight", true),
            Rule.of("layers.{i}.ffn.experts.{e}.w2.weight", "model.layers.{i}.mlp.experts.{e}.down_proj.weight", true),
            Rule.of("layers.{i}.ffn.shared.w1.weight", "model.layers.{i}.mlp.shared_experts.gate_proj.weight", true),
            Rule.of("layers.{i}.ffn.shared.w3.weight", "model.layers.{i}.mlp.shared_experts.up_proj.weight", true),
            Rule.of("layers.{i}.ffn.shared.w2.weight", "model.layers.{i}.mlp.shared_experts.down_proj.weight", true),
            Rule.of("norm.weight", "model.norm.weight", false),
            Rule.of("output.weight", "lm_head.weight", true));

    private TensorNames() { }

    /** Exported name of a checkpoint tensor; an unknown name is an error (every tensor must have a place). */
    public static Exported exported(String checkpointName) {
        for (Rule r : RULES) {
            Matcher m = r.checkpoint().matcher(checkpointName);
            if (m.matches()) return new Exported(fill(r.exportedTemplate(), m), r.transpose());
        }
        throw new BadInputException("export: checkpoint tensor '" + checkpointName + "' has no exported name "
                + "in scheme " + SCHEME + "; was the checkpoint written by another version of MoHGE-J?");
    }

    /** Checkpoint name of an exported tensor and whether it was transposed; null when the name is not in the scheme. */
    public static Exported checkpoint(String exportedName) {
        for (Rule r : RULES) {
            Matcher m = r.exported().matcher(exportedName);
            if (m.matches()) return new Exported(fill(r.checkpointTemplate(), m), r.transpose());
        }
        return null;
    }

    private static String fill(String template, Matcher m) {
        String out = template;
        if (template.contains("{i}")) out = out.replace("{i}", m.group("i"));
        if (template.contains("{e}")) out = out.replace("{e}", m.group("e"));
        return out;
    }
}
