package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.RunConfig;
import io.mohge.data.Prepare;
import io.mohge.data.TokenDataset;
import io.mohge.mixture.Compute;
import io.mohge.mixture.LanguageConfusion;
import io.mohge.mixture.LmWeights;
import io.mohge.mixture.Mixture;
import io.mohge.mixture.MixtureEval;
import io.mohge.mixture.MixtureManifest;
import io.mohge.model.ParamCount;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Validation perplexity of a mixture as it is served: every validation sequence is routed on its "
                + "first M tokens and the chosen expert's loss is counted on the tokens after the prefix only. "
                + "Baselines (--baseline) are scored on the same sequences and tokens. Prints a Markdown table with "
                + "inference and training FLOPs, the routing shares and, with --languages, which router the held-out "
                + "documents of each language land in."})
final class SmallTalkEvalCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    @Option(names = "--export", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "An exported mixture (mohge smalltalk export) instead of the run's checkpoints.")
    Path export;

    @Option(names = "--prefix-tokens", paramLabel = "M", split = ",",
            description = "Route on these prefix lengths (default: mixture.prefix_tokens); one table row each.")
    List<Integer> prefixTokens = new ArrayList<>();

    @Option(names = "--score-from", paramLabel = "N", defaultValue = "0",
            description = "Count the loss from token N of each sequence on (default: the longest routing prefix).")
    int scoreFrom;

    @Option(names = "--max-sequences", paramLabel = "N", defaultValue = "0",
            description = "Evaluate at most N validation sequences, spread over the split (default: all).")
    int maxSequences;

    @Option(names = "--baseline", paramLabel = "DIR", converter = UserDir.Converter.class,
            description = "A dense model to compare: a run directory (its newest checkpoint) or a checkpoint; repeatable.")
    List<Path> baselines = new ArrayList<>();

    @Option(names = "--languages", description = "Also label the held-out documents with their language and show "
            + "which router they land in.")
    boolean languages;

    @Option(names = "--max-documents", paramLabel = "N", defaultValue = "4000",
            description = "At most N held-out documents for --languages (0 = all; default: ${DEFAULT-VALUE}).")
    int maxDocuments;

    @Override
    public Integer call() throws IOException {
        RunConfig cfg = options.load();
        Mixture mix = export != null ? Mixture.fromExport(export) : Mixture.fromRun(cfg);
        List<Integer> ms = prefixTokens.isEmpty() ? List.of(mix.prefixTokens()) : prefixTokens;
        int from = scoreFrom > 0 ? scoreFrom : ms.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (maxSequences < 0 || maxDocuments < 0) throw new BadInputException("--max-sequences and --max-documents: 0 or more");
        Configuration hconf = new Configuration();
        Prepare.prepare(cfg.data(), hconf);
        PrintWriter out = spec.commandLine().getOut();
        try (TokenDataset data = TokenDataset.open(cfg.data().dir(), hconf)) {
            if (data.vocabSize() != mix.tokenizer().vocabSize()) {
                throw new BadInputException("data.tokenizer: the mixture has a vocabulary of "
                        + mix.tokenizer().vocabSize() + " tokens, data.dir " + data.vocabSize() + "; evaluate on the data "
                        + "the mixture was trained on");
            }
            int[][] windows = MixtureEval.windows(data, mix.seqLen(), maxSequences);
            double mixtureTraining = export != null ? MixtureManifest.read(export).trainingFlops().total()
                    : Compute.of(cfg).total();
            out.printf(Locale.ROOT, "mixture %s: R = %d experts of %,d parameters, routers of %,d parameters%n",
                    mix.source(), mix.size(), params(mix.expertWeights(0)), params(mix.router(0)));
            out.printf(Locale.ROOT, "%d validation sequences of %d tokens; loss counted on the predictions of tokens %d..%d "
                    + "(%d per sequence)%n%n", windows.length, mix.seqLen(), from, mix.seqLen(), mix.seqLen() - from + 1);
            out.println("| model | routed on | inference MFLOP/token | training TFLOP | val loss | perplexity |");
            out.println("|---|---:|---:|---:|---:|---:|");
            List<String> shares = new ArrayList<>();
            for (int m : ms) {
                MixtureEval.Result r = MixtureEval.mixture(mix, windows, m, from);
                double inference = Compute.mixtureInferencePerToken(mix.expertWeights(0).config(), mix.router(0).config(),
                        mix.size(), m);
                row(out, "SmallTalk R=" + mix.size(), m + " tokens", inference, mixtureTraining, r);
                shares.add(shares(m, r.shares(), windows.length));
            }
            for (Path b : baselines) {
                Path checkpoint = checkpoint(b);
                LmWeights w = LmWeights.fromCheckpoint(checkpoint);
                MixtureEval.Result r = MixtureEval.dense(w.model(), windows, from);
                row(out, b.getFileName() + " (step " + w.step() + ")", "-", Compute.forwardPerToken(w.config()),
                        Compute.ofCheckpoint(checkpoint), r);
            }
            out.println();
            for (String s : shares) out.println(s);
            if (languages) {
                for (int m : ms) {
                    LanguageConfusion c = LanguageConfusion.of(mix, cfg, data.manifest(), m, maxDocuments);
                    out.printf(Locale.ROOT, "%nheld-out documents by language and router (routed on %d tokens; %d "
                            + "documents; purity %.3f):%n%n%s", m, c.documents(), c.purity(), c.markdown());
                }
            }
        }
        out.flush();
        return 0;
    }

    private static long params(LmWeights w) {
        return ParamCount.of(w.config()).totalParams();
    }

    private static void row(PrintWriter out, String name, String routed, double inference, double training,
                            MixtureEval.Result r) {
        out.printf(Locale.ROOT, "| %s | %s | %.3f | %.2f | %.4f | %.3f |%n", name, routed, inference / 1e6, training / 1e12,
                r.loss(), r.perplexity());
    }

    private static String shares(int m, int[] shares, int total) {
        StringBuilder sb = new StringBuilder("routing shares (M = " + m + "):");
        for (int k = 0; k < shares.length; k++) {
            sb.append(String.format(Locale.ROOT, " expert %d %.1f%%", k, 100.0 * shares[k] / total));
        }
        return sb.toString();
    }

    /** A checkpoint directory, or a run directory's newest checkpoint. */
    private static Path checkpoint(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(CheckpointStore.CONFIG))) return dir;
        return new CheckpointStore(dir.resolve("checkpoints"), 1).latest().orElseThrow(() -> new BadInputException(
                "--baseline: " + dir + " is neither a checkpoint nor a run directory with checkpoints"));
    }
}
