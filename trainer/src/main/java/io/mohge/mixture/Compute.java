package io.mohge.mixture;

import io.mohge.config.MixtureConfig;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.model.ModelConfig;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Flops;
import io.mohge.train.Trainer;
import io.mohge.config.TrainerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * FLOP accounting of a mixture and of dense baselines, with the trainer's per-token formula ({@link Flops#perToken}:
 * 6 N_active + 12 L d T for a training token; a forward pass is a third of it). Routed members count their experts
 * at uniform routing.
 *
 * @param routerTraining training FLOPs of the routers over all EM rounds (steps done x tokens per step)
 * @param emScoring      forward FLOPs of scoring every prefix with every router, once per EM round
 * @param expertTraining training FLOPs of the experts (steps done)
 */
public record Compute(double routerTraining, double emScoring, double expertTraining) {

    public double total() {
        return routerTraining + emScoring + expertTraining;
    }

    /** Training FLOPs of {@code steps} optimizer steps of a model. */
    public static double training(ModelConfig m, TrainerConfig t, long steps) {
        return (double) steps * t.batchSize() * t.gradAccum() * m.seqLen() * Flops.perToken(m, Flops.uniformRoutedWidth(m));
    }

    /** Forward FLOPs per token of a model run on sequences of its seq_len. */
    public static double forwardPerToken(ModelConfig m) {
        return Flops.perToken(m, Flops.uniformRoutedWidth(m)) / 3;
    }

    /**
     * Inference FLOPs per token of the mixture on T-token sequences: the chosen expert's forward pass, plus the R
     * routers' forward passes over the M - 1 predictions of the prefix, spread over the T tokens of the sequence.
     */
    public static double mixtureInferencePerToken(ModelConfig expert, ModelConfig router, int experts, int prefixTokens) {
        ModelConfig scorer = LmWeights.withSeqLen(router, prefixTokens - 1);
        return forwardPerToken(expert) + (double) experts * (prefixTokens - 1) * forwardPerToken(scorer) / expert.seqLen();
    }

    /** The compute spent so far on the mixture of {@code cfg} (steps read from the members' newest checkpoints). */
    public static Compute of(RunConfig cfg) throws IOException {
        MixtureLayout layout = MixtureLayout.of(cfg);
        MixtureConfig mix = cfg.mixture();
        EmState state = EmState.read(layout.emState());
        double routers = 0;
        double experts = 0;
        for (int r = 0; r < mix.experts(); r++) {
            RunConfig router = Members.router(cfg, layout, r, 1);
            routers += training(router.model(), router.trainer(), steps(router));
            RunConfig expert = Members.expert(cfg, layout, r);
            experts += training(expert.model(), expert.trainer(), steps(expert));
        }
        double scoring = 0;
        if (state != null) {
            ModelConfig scorer = LmWeights.withSeqLen(mix.router().model(), mix.prefixTokens() - 1);
            scoring = (double) state.roundsDone() * (state.trainSequences() + state.valSequences()) * mix.experts()
                    * (mix.prefixTokens() - 1) * forwardPerToken(scorer);
        }
        return new Compute(routers, scoring, experts);
    }

    /** Training FLOPs of the run a checkpoint belongs to, up to the checkpoint's step. */
    public static double ofCheckpoint(Path checkpoint) {
        RunConfig c = ConfigLoader.load(checkpoint.resolve(CheckpointStore.CONFIG));
        return training(c.model(), c.trainer(), CheckpointStore.stepOf(checkpoint));
    }

    private static long steps(RunConfig member) throws IOException {
        Optional<Path> latest = Trainer.latestCheckpoint(member);
        return latest.map(CheckpointStore::stepOf).orElse(0L);
    }
}
