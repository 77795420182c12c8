package io.mohge.cli;

import io.mohge.data.TextTokenizer;
import io.mohge.engine.Sampler;
import io.mohge.generate.Generator;
import io.mohge.generate.TextStream;
import io.mohge.mixture.Mixture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text with a mixture: every router scores the prompt's first M tokens and the best "
                + "router's expert generates (key/value cache, the sampling of mohge generate). The routing goes to "
                + "standard error. Default: the run's newest checkpoints; --export reads an exported mixture."})
final class SmallTalkGenerateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "An exported mixture (mohge smalltalk export).")
    Path export;

    @Option(names = "--prompt", description = "The prompt text (default: standard input).")
    String prompt;

    @Mixin
    SamplingOptions sampling;

    @Override
    public Integer call() throws IOException {
        Sampler sampler = sampling.sampler();
        Mixture mix = export != null ? Mixture.fromExport(export) : Mixture.fromRun(options.load());
        String text = prompt != null ? prompt : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        int[] ids = mix.tokenizer().encode(text);
        if (ids.length == 0) ids = new int[] {TextTokenizer.END_OF_DOCUMENT};
        Mixture.Routing routing = mix.route(ids);
        PrintWriter err = spec.commandLine().getErr();
        StringBuilder scores = new StringBuilder();
        for (double s : routing.scores()) scores.append(scores.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", s));
        err.printf(Locale.ROOT, "routed to expert %d on %d prompt tokens (prefix log-likelihood per router: %s)%n",
                routing.expert(), Math.min(ids.length, mix.prefixTokens()), scores);
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        TextStream stream = new TextStream(mix.tokenizer(), out);
        stream.write(text);
        Generator.Result r = new Generator(mix.expert(routing.expert())).generate(ids, sampling.maxNewTokens, sampler,
                sampling.stopToken(), stream::token);
        stream.finish();
        err.printf(Locale.ROOT, "%d tokens in %.2f s (%.0f tokens/s) from expert %d of %s%n", r.tokens().length,
                r.nanos() * 1e-9, r.tokensPerSecond(), routing.expert(), mix.source());
        err.flush();
        return 0;
    }
}
