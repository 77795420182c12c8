package io.mohge.mixture;

import io.mohge.config.BadInputException;
import io.mohge.config.MixtureConfig;
import io.mohge.allocation.AllocationConfig;
import io.mohge.config.RunConfig;
import io.mohge.config.RunSection;
import io.mohge.data.Corpus;
import io.mohge.data.DataConfig;
import io.mohge.model.ModelConfig;
import io.mohge.config.ExportConfig;
import io.mohge.config.TrainerConfig;

/**
 * The run configs of a mixture's members, derived from the mixture's run config. Every member is an ordinary run
 * of the trainer: the same loop, checkpoints and resume as {@code mohge train}.
 * <ul>
 *   <li>Router r: {@code mixture.router.model} and {@code .trainer} (steps over all rounds =
 *       em_rounds x steps per round), seed run.seed + 1000 + r, run directory routers/router-r, and in round K the
 *       dataset of its round-K sequences. No export at the end (a mixture export collects them).</li>
 *   <li>Expert r: the run's model, losses and trainer, seed run.seed + r, run directory experts/expert-r, and the
 *       dataset of its partition. It exports into its own run directory when export.on_finish.</li>
 * </ul>
 * The members' datasets are derived ones (corpus {@code derived:...}), so a member can never prepare them from
 * text: they are only written by the router EM.
 */
public final class Members {

    private Members() { }

    /**
     * The checks that span the mixture and the rest of the run; each message names the key to change. Called before
     * any mixture command does work.
     */
    public static void check(RunConfig cfg) {
        MixtureConfig mix = cfg.mixture();
        ModelConfig router = mix.router().model();
        int seqLen = cfg.model().seqLen();
        if (router.vocabSize() != cfg.data().vocabSize()) {
            throw new BadInputException("mixture.router.model.vocab_size: " + router.vocabSize() + " does not "
                    + "match the vocabulary of data.tokenizer (" + cfg.data().vocabSize() + "); set "
                    + "mixture.router.model.vocab_size: " + cfg.data().vocabSize());
        }
        if (mix.prefixTokens() >= seqLen) {
            throw new BadInputException("mixture.prefix_tokens: " + mix.prefixTokens() + " leaves no token of a "
                    + "model.seq_len = " + seqLen + " sequence after the routing prefix; use prefix_tokens below "
                    + seqLen + " or a longer model.seq_len");
        }
        if (router.seqLen() > seqLen) {
            throw new BadInputException("mixture.router.model.seq_len: " + router.seqLen() + " is longer than "
                    + "the sequences being routed (model.seq_len = " + seqLen + "); use at most " + seqLen);
        }
    }

    /** Router r's run config in EM round {@code round} (1-based): its data is that round's sequences. */
    public static RunConfig router(RunConfig cfg, MixtureLayout layout, int r, int round) {
        MixtureConfig mix = cfg.mixture();
        TrainerConfig t = mix.router().trainer();
        TrainerConfig allRounds = new TrainerConfig(mix.routerSteps(), t.batchSize(), t.gradAccum(), t.lr(), t.minLr(),
                t.warmupSteps(), t.weightDecay(), t.beta1(), t.beta2(), t.eps(), t.clipNorm(), t.logEvery(),
                t.evalEvery(), t.evalBatches(), t.checkpointEvery(), t.keepCheckpoints());
        RunSection run = new RunSection(cfg.run().name() + "-router-" + r, cfg.run().seed() + 1000 + r,
                layout.routerRun(r).toString());
        DataConfig data = derived(cfg, layout.routerData(round, r), "router " + r + " round " + round);
        return new RunConfig(run, mix.router().model(), cfg.losses(), new AllocationConfig(
                AllocationConfig.Strategy.CONTIGUOUS, 1), data, allRounds, new ExportConfig("", cfg.export().dtype(), false),
                cfg.distributed(), mix);
    }

    /** Expert r's run config: the run's own model, losses and trainer on its partition. */
    public static RunConfig expert(RunConfig cfg, MixtureLayout layout, int r) {
        RunSection run = new RunSection(cfg.run().name() + "-expert-" + r, cfg.run().seed() + r,
                layout.expertRun(r).toString());
        DataConfig data = derived(cfg, layout.expertData(r), "expert " + r);
        return new RunConfig(run, cfg.model(), cfg.losses(), cfg.allocation(), data, cfg.trainer(),
                new ExportConfig("", cfg.export().dtype(), cfg.export().onFinish()), cfg.distributed(), cfg.mixture());
    }

    /** A member's data config: the run's tokenizer and shard size over a dataset written by the EM. */
    private static DataConfig derived(RunConfig cfg, String dir, String member) {
        DataConfig d = cfg.data();
        String corpus = Corpus.DERIVED_PREFIX + "smalltalk " + member + " of run " + cfg.run().name()
                + " (written by mohge smalltalk train-routers; run it again with --resume to rewrite it)";
        return new DataConfig(corpus, dir, d.tokenizer(), d.bpeVocabSize(), d.valFraction(), d.shardTokens(),
                d.maxCorpusBytes());
    }
}
