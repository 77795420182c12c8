package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.data.TextTokenizer;
import io.mohge.engine.Sampler;
import io.mohge.generate.Generator;
import io.mohge.generate.ServingModel;
import io.mohge.generate.TextStream;
import io.mohge.model.FfnSpec;
import io.mohge.model.ModelConfig;
import io.mohge.train.Evaluator;
import io.mohge.train.ExpertCache;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text from a trained model (a checkpoint or an export) with a key/value cache: the "
                + "prompt is fed once, then every new token costs one position. The text streams to standard output "
                + "as it is produced; tokens/s goes to standard error at the end.",
                "Sampling: temperature 0 is greedy; otherwise top-k, then top-p, from a generator seeded with --seed. "
                + "Generation stops at the end of a document (a newline) unless --no-stop is given."})
final class GenerateCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--checkpoint", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
                description = "A checkpoint directory (.../checkpoints/step-NNNNNN).")
        Path checkpoint;

        @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class, required = true,
                description = "An export directory written by mohge export (e.g. runs/mohge-tiny/export).")
        Path export;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Spec
    CommandSpec spec;

    @Option(names = "--prompt", description = "The prompt text (default: standard input).")
    String prompt;

    @Option(names = "--prompt-ids", paramLabel = "IDS", split = ",",
            description = "Comma-separated token ids instead of text (e.g. for parity checks).")
    int[] promptIds;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--print-ids", description = "Print the new token ids as a list instead of text.")
    boolean printIds;

    @Option(names = "--cache-experts", paramLabel = "M", split = ",",
            description = "Expert-cache sizes to simulate during generation, experts resident per layer (default: a "
                    + "quarter and a half of the routed experts); the report goes to standard error.")
    int[] cacheExperts;

    @Override
    public Integer call() throws IOException {
        if (prompt != null && promptIds != null) throw new BadInputException("--prompt and --prompt-ids: give one");
        Sampler sampler = sampling.sampler();
        ServingModel m = source.export != null ? ServingModel.fromExport(source.export)
                : ServingModel.fromCheckpoint(source.checkpoint);
        TextTokenizer tok = m.tokenizer();
        String text = promptIds != null ? null
                : prompt != null ? prompt : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        int[] ids = promptIds != null ? promptIds : tok.encode(text);
        if (ids.length == 0) ids = new int[] {TextTokenizer.END_OF_DOCUMENT};       // an empty prompt: a new document
        for (int id : ids) {
            if (id < 0 || id >= tok.vocabSize()) {
                throw new BadInputException("--prompt-ids: " + id + " is outside the vocabulary 0.." + (tok.vocabSize() - 1));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        TextStream stream = new TextStream(tok, out);
        if (text != null && !printIds) stream.write(text);
        ModelConfig config = m.model().config();
        List<ExpertCache> caches = new ArrayList<>();
        if (config.ffnSpec() instanceof FfnSpec.Routed) {
            for (int size : cacheExperts != null ? cacheExperts : Evaluator.defaultCacheSizes(config)) {
                if (size < 1) throw new BadInputException("--cache-experts: " + size + " experts; give sizes of 1 or more");
                caches.add(new ExpertCache(config.nLayers(), size, ExpertCache.expertBytes(config, 4)));
            }
        }
        Generator generator = new Generator(m.model()).withCaches(caches);
        Generator.Result r = generator.generate(ids, sampling.maxNewTokens, sampler,
                sampling.stopToken(), printIds ? id -> { } : stream::token);
        if (printIds) out.println(Arrays.toString(r.tokens()).replace(" ", ""));
        else stream.finish();
        out.flush();
        spec.commandLine().getErr().printf(Locale.ROOT, "%n%d tokens in %.2f s (%.0f tokens/s) from %s%n",
                r.tokens().length, r.nanos() * 1e-9, r.tokensPerSecond(), m.source());
        if (!caches.isEmpty()) {
            spec.commandLine().getErr().printf(Locale.ROOT, "expert-set switch rate %.3f over %d fed tokens%s%n",
                    generator.setSwitchRate(), caches.get(0).tokens(),
                    config.hasController() ? " (switch controllers, greedy)" : "");
        }
        for (ExpertCache c : caches) {
            spec.commandLine().getErr().printf(Locale.ROOT, "expert cache (LRU, %d of %d experts resident per layer): "
                    + "%.4f expert loads/token, %.1f KB/token (fp32 weights)%n", c.capacity(),
                    ((FfnSpec.Routed) config.ffnSpec()).experts(), c.loadsPerToken(), c.bytesPerToken() / 1024);
        }
        spec.commandLine().getErr().flush();
        return 0;
    }
}
