package io.mohge.cli;

import io.mohge.config.RunConfig;
import io.mohge.data.Prepare;
import io.mohge.data.PrepareResult;
import io.mohge.data.TokenDataset;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Tokenise the configured corpus (data.corpus) into checksummed shards and a manifest in data.dir "
                + "(a local path, file:// or hdfs:// URI).",
                "An existing dataset made with the same parameters is reused."})
final class PrepareCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--overwrite", description = "Replace a dataset in data.dir that was made with other parameters.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        RunConfig config = options.load();
        Configuration hadoop = new Configuration();
        PrepareResult result = Prepare.prepare(config.data(), hadoop, overwrite);
        PrintWriter out = spec.commandLine().getOut();
        out.println(result.summary());
        try (TokenDataset data = TokenDataset.open(result.dir(), hadoop)) {
            out.printf(Locale.ROOT, "unigram baseline: %.4f nats/token on the val split (a model must beat this)%n",
                    data.unigramBaselineNats());
        }
        out.flush();
        return 0;
    }
}
