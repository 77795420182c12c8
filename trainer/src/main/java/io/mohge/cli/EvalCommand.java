package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.data.TokenDataset;
import io.mohge.export.ExportEvaluator;
import io.mohge.train.Evaluator;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Validation loss and perplexity of a checkpoint (default: the newest one of the config's run),",
                "or of an export directory read back from its files (--export)."})
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "An export directory (written by `mohge export`) instead of a checkpoint.")
    Path export;

    @Option(names = "--cache-experts", paramLabel = "M", split = ",",
            description = "Expert-cache sizes to simulate, experts resident per layer (default: a quarter and a half "
                    + "of the routed experts).")
    int[] cacheExperts;

    @Override
    public Integer call() throws IOException {
        RunConfig config = options.load();
        if (export != null && checkpoint.checkpoint != null) {
            throw new BadInputException("--export and --checkpoint: give one of them, not both");
        }
        Path dir = export != null ? export : checkpoint.resolve(config);
        if (cacheExperts != null) {
            for (int m : cacheExperts) {
                if (m < 1) throw new BadInputException("--cache-experts: " + m + " experts; give sizes of 1 or more");
            }
        }
        Evaluator.Result r = export != null ? ExportEvaluator.evaluate(dir, config.data(), config.trainer())
                : Evaluator.evaluate(dir, config.data(), config.trainer(), cacheExperts);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s %s (step %d): val_loss %.4f nats/token, perplexity %.3f over %d tokens%n",
                export != null ? "export" : "checkpoint", dir, r.step(), r.valLoss(), r.perplexity(), r.tokens());
        RoutingReport.print(out, r.routing());
        try (TokenDataset data = TokenDataset.open(config.data().dir(), new Configuration())) {
            out.printf(Locale.ROOT, "unigram baseline %.4f nats/token%n", data.unigramBaselineNats());
        }
        out.flush();
        return 0;
    }
}
