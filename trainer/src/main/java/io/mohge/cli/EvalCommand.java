package io.mohge.cli;

import io.mohge.config.RunConfig;
import io.mohge.data.TokenDataset;
import io.mohge.train.Evaluator;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Validation loss and perplexity of a checkpoint (default: the newest one of the config's run).")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Mixin
    CheckpointOption checkpoint;

    @Override
    public Integer call() throws IOException {
        RunConfig config = options.load();
        Path dir = checkpoint.resolve(config);
        Evaluator.Result r = Evaluator.evaluate(dir, config);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "checkpoint %s (step %d): val_loss %.4f nats/token, perplexity %.3f over %d tokens%n",
                dir, r.step(), r.valLoss(), r.perplexity(), r.tokens());
        try (TokenDataset data = TokenDataset.open(config.data().dir(), new Configuration())) {
            out.printf(Locale.ROOT, "unigram baseline %.4f nats/token%n", data.unigramBaselineNats());
        }
        out.flush();
        return 0;
    }
}
