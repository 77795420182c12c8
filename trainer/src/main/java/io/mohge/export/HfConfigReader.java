package io.mohge.export;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.mohge.model.ModelConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads an export's {@code config.json} ({@link HfConfig}) back into a {@link ModelConfig}. Every error names
 * the file and the key. Keys the export does not need for the model shape (conventions, token ids) are not read,
 * but the conventions that the Java model fixes are checked, so a file edited into something else is refused.
 */
public final class HfConfigReader {

    private final Path file;
    private final JsonObject o;

    private HfConfigReader(Path file, JsonObject o) {
        this.file = file;
        this.o = o;
    }

    /** The model config of the export whose config.json is {@code file}. */
    public static ModelConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("export: " + file + " is missing; pass the directory written by "
                    + "`mohge export` (it holds config.json and model.safetensors)");
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("export: " + file + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (!parsed.isJsonObject()) throw new IllegalArgumentException("export: " + file + " is not a JSON object");
        return new HfConfigReader(file, parsed.getAsJsonObject()).modelConfig();
    }

    private ModelConfig modelConfig() {
        expect("model_type", HfConfig.MODEL_TYPE);
        expect("tensor_name_scheme", TensorNames.SCHEME);
        expect("rope_layout", "rotate_half");
        expect("weight_layout", "out_in");
        if (integer("num_key_value_heads") != integer("num_attention_heads")) {
            throw bad("num_key_value_heads", "must equal num_attention_heads (MoHGE-J has no grouped-query attention)");
        }
        ModelConfig.FfnType ffn = choice("ffn_type", ModelConfig.FfnType.class);
        ModelConfig.Dense dense = ModelConfig.Dense.DEFAULTS;
        ModelConfig.Moe moe = ModelConfig.Moe.DEFAULTS;
        ModelConfig.Mohge mohge = ModelConfig.Mohge.DEFAULTS;
        ModelConfig.Shared shared = ModelConfig.Shared.DEFAULTS;
        ModelConfig.Router router = ModelConfig.Router.DEFAULTS;
        try {
            if (ffn == ModelConfig.FfnType.DENSE) {
                dense = new ModelConfig.Dense(integer("intermediate_size"));
            } else {
                int groups = integer("num_expert_groups");
                int perGroup = integer("experts_per_group");
                List<Integer> groupWidths = groupWidths(groups, perGroup);
                if (ffn == ModelConfig.FfnType.MOE) {
                    if (groups != 1) throw bad("num_expert_groups", "an ffn_type moe export has one group, got " + groups);
                    moe = new ModelConfig.Moe(perGroup, groupWidths.get(0), integer("num_experts_per_tok"));
                } else {
                    mohge = new ModelConfig.Mohge(groups, perGroup, groupWidths, integer("group_top_k"),
                            integer("num_experts_per_tok"), choice("group_score_func", ModelConfig.GroupScore.class),
                            choice("gate_mode", ModelConfig.GateMode.class));
                }
                if (bool("group_prob_renormalise") != integer("group_top_k") > 1) {
                    throw bad("group_prob_renormalise", "must be true exactly when group_top_k > 1 (docs/method.md "
                            + "section 2: p = sigma_g without renormalisation when group_top_k = 1)");
                }
                shared = new ModelConfig.Shared(integer("n_shared_experts"), integer("shared_expert_intermediate_size"));
                router = new ModelConfig.Router(number("router_capacity_factor"), number("router_bias_update_rate"));
            }
            return new ModelConfig(integer("vocab_size"), integer("hidden_size"), integer("num_hidden_layers"),
                    integer("num_attention_heads"), integer("max_position_embeddings"), number("rope_theta"),
                    number("rms_norm_eps"), number("initializer_range"), ffn, dense, moe, mohge, shared, router);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("export: ")) throw e;
            throw new IllegalArgumentException("export: " + file + ": " + e.getMessage());
        }
    }

    /** One width per group from the per-expert list; experts of one group must share their width. */
    private List<Integer> groupWidths(int groups, int perGroup) {
        JsonElement e = get("expert_intermediate_sizes");
        if (!e.isJsonArray() || e.getAsJsonArray().size() != groups * perGroup) {
            throw bad("expert_intermediate_sizes", "expected one width per expert (" + groups * perGroup + " values), got " + e);
        }
        JsonArray sizes = e.getAsJsonArray();
        List<Integer> widths = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            int w = sizes.get(g * perGroup).getAsInt();
            for (int j = 1; j < perGroup; j++) {
                if (sizes.get(g * perGroup + j).getAsInt() != w) {
                    throw bad("expert_intermediate_sizes", "experts of group " + g + " have different widths " + sizes
                            + "; MoHGE-J gives every expert of a group the group's width");
                }
            }
            widths.add(w);
        }
        return widths;
    }

    private JsonElement get(String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) throw bad(key, "missing");
        return e;
    }

    private int integer(String key) {
        JsonElement e = get(key);
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) throw bad(key, "expected an integer, got " + e);
            return (int) d;
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw bad(key, "expected an integer, got " + e);
        }
    }

    private double number(String key) {
        JsonElement e = get(key);
        try {
            return e.getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException ex) {
            throw bad(key, "expected a number, got " + e);
        }
    }

    private boolean bool(String key) {
        JsonElement e = get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw bad(key, "expected true or false, got " + e);
        return e.getAsBoolean();
    }

    private String string(String key) {
        JsonElement e = get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw bad(key, "expected a string, got " + e);
        return e.getAsString();
    }

    private void expect(String key, String value) {
        String got = string(key);
        if (!got.equals(value)) throw bad(key, "expected \"" + value + "\", got \"" + got + "\"");
    }

    private <E extends Enum<E>> E choice(String key, Class<E> type) {
        String got = string(key);
        try {
            return Enum.valueOf(type, got.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> allowed = new ArrayList<>();
            for (E c : type.getEnumConstants()) allowed.add(c.name().toLowerCase(Locale.ROOT));
            throw bad(key, "\"" + got + "\" is not one of " + allowed);
        }
    }

    private IllegalArgumentException bad(String key, String what) {
        return new IllegalArgumentException("export: " + file + ": key " + key + ": " + what);
    }
}
