package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.data.TextTokenizer;
import io.mohge.engine.Sampler;
import picocli.CommandLine.Option;

/** The sampling options of every generating command: how many tokens, how they are drawn, and where to stop. */
final class SamplingOptions {

    @Option(names = "--max-new-tokens", defaultValue = "200", description = "At most this many new tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0.7", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens, 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.9", description = "Nucleus sampling mass, 1 = all (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampler (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-stop", description = "Do not stop at the end of a document.")
    boolean noStop;

    /** The sampler these options describe (its constructor checks them and names the option at fault). */
    Sampler sampler() {
        return BadInputException.whenRefused(() -> new Sampler(temperature, topK, topP, seed));
    }

    /** The token that ends generation, or -1 with --no-stop. */
    int stopToken() {
        return noStop ? -1 : TextTokenizer.END_OF_DOCUMENT;
    }
}
