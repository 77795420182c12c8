package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.json.JsonRecords;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.mohge.json.JsonRecords.required;

/**
 * {@code mixture.json}, the one file that describes an exported mixture: where the routers' and experts' exports
 * are (each an ordinary export, see docs/export.md), how to route, and what training the mixture cost. A Gson
 * record ({@link JsonRecords}); the constructor checks what serving needs and names the key.
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
    public MixtureManifest {
        if (!FORMAT.equals(required(format, "format"))) {
            throw new IllegalArgumentException("format: expected \"" + FORMAT + "\", got \"" + format
                    + "\"; this is not a mixture written by mohge smalltalk export");
        }
        if (experts < 1) throw new IllegalArgumentException("experts: at least 1, got " + experts);
        if (prefixTokens < 2) throw new IllegalArgumentException("prefix_tokens: at least 2, got " + prefixTokens);
        oneDirPerExpert(routerDirs, "router_dirs", experts);
        oneDirPerExpert(expertDirs, "expert_dirs", experts);
        required(tokenizer, "tokenizer");
    }

    public byte[] toJson() {
        return JsonRecords.write(this).getBytes(StandardCharsets.UTF_8);
    }

    /** Reads and checks {@code dir/mixture.json}; problems name the file and the key. */
    public static MixtureManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--export: " + file + " is missing; give a directory written by "
                    + "mohge smalltalk export");
        }
        try {
            return JsonRecords.read(Files.readString(file, StandardCharsets.UTF_8), MixtureManifest.class);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--export: " + file + ": " + e.getMessage() + "; export the mixture "
                    + "again with mohge smalltalk export", e);
        }
    }

    private static void oneDirPerExpert(List<String> dirs, String key, int experts) {
        if (required(dirs, key).size() != experts) {
            throw new IllegalArgumentException(key + ": lists " + dirs.size() + " directories for experts = " + experts);
        }
        for (int r = 0; r < experts; r++) required(dirs.get(r), key + "[" + r + "]");
    }
}
