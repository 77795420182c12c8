package io.mohge.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mohge smalltalk ...}: asynchronous mixtures of language models (docs/smalltalk.md). */
@Command(name = "smalltalk", mixinStandardHelpOptions = true,
        description = {"SmallTalk LM (Filippova et al., ICLR 2025, arXiv 2410.03529): R small router LMs, trained by EM "
                + "on sequence prefixes, split the corpus into R shares; R expert LMs each train on their own share "
                + "with no communication; at inference the router that best explains the prompt's first M tokens picks "
                + "the expert. Configured by the mixture: section of the run config; the experts use its model, "
                + "losses and trainer sections (see docs/smalltalk.md)."},
        subcommands = {SmallTalkTrainCommand.class, SmallTalkRoutersCommand.class, SmallTalkExpertsCommand.class,
                SmallTalkEvalCommand.class, SmallTalkGenerateCommand.class, SmallTalkExportCommand.class,
                CommandLine.HelpCommand.class})
final class SmallTalkCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
