package io.mohge.mixture;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code mixture.json}, the one file that describes an exported mixture: where the routers' and experts' exports
 * are (each an ordinary export, see docs/export.md), how to route, and what training the mixture cost.
 *
 * @param format         {@value #FORMAT}
 * @param method         the method and its paper
 * @param experts        R
 * @param prefixTokens   M: route on the log-likelihood of the prompt's first M tokens under each router
 * @param seqLen         the experts' sequence length
 * @param routerDirs     the routers' export directories, relative to the mixture directory, router r at index r
 * @param expertDirs     the experts' export directories, expert r at index r
 * @param tokenizer      the shared tokenizer file (Hugging Face tokenizers format)
 * @param balance        the balance rule the routers were trained under
 * @param emRoundsDone   EM rounds the routers were trained for
 * @param emStopped      why the EM stopped
 * @param routerSteps    the routers' optimizer steps
 * @param expertSteps    the experts' optimizer steps
 * @param trainingFlops  routers, EM scoring and experts, in FLOPs
 */
public record MixtureManifest(String format, String method, int experts, int prefixTokens, int seqLen,
                              List<String> routerDirs, List<String> expertDirs, String tokenizer, String balance,
                              int emRoundsDone, String emStopped, List<Long> routerSteps, List<Long> expertSteps,
                              Compute trainingFlops) {

    public static final String FILE = "mixture.json";
    public static final String FORMAT = "mohge-smalltalk-1";
    public static final String METHOD = "SmallTalk LM: asynchronous mixture of language models (Filippova et al., "
            + "ICLR 2025, arXiv 2410.03529)";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    public byte[] toJson() {
        return GSON.toJson(this).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads and checks {@code dir/mixture.json}; problems name the file. */
    public static MixtureManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--export: " + file + " is missing; give a directory written by "
                    + "mohge smalltalk export");
        }
        MixtureManifest m;
        try {
            m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), MixtureManifest.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("--export: " + file + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (m == null || !FORMAT.equals(m.format())) {
            throw new IllegalArgumentException("--export: " + file + " is not a " + FORMAT + " manifest");
        }
        if (m.routerDirs() == null || m.expertDirs() == null || m.routerDirs().size() != m.experts()
                || m.expertDirs().size() != m.experts() || m.tokenizer() == null || m.prefixTokens() < 2) {
            throw new IllegalArgumentException("--export: " + file + " lists " + (m.routerDirs() == null ? 0 : m.routerDirs().size())
                    + " routers and " + (m.expertDirs() == null ? 0 : m.expertDirs().size()) + " experts for experts = "
                    + m.experts() + ", or lacks tokenizer / prefix_tokens; export the mixture again");
        }
        return m;
    }
}
