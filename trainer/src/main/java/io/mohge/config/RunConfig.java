package io.mohge.config;

import io.mohge.allocation.AllocationConfig;
import io.mohge.allocation.ExpertLayout;
import io.mohge.data.DataConfig;
import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;

/**
 * A whole run: one small config per component plus the checks that span components.
 * Build it with {@link ConfigLoader}; cross-section messages start with the full dotted key.
 */
public record RunConfig(RunSection run, ModelConfig model, LossConfig losses, AllocationConfig allocation,
                        DataConfig data, TrainerConfig trainer, ExportConfig export,
                        DistributedConfig distributed, MixtureConfig mixture) {

    /** A run without a mixture section of its own (the defaults; only {@code mohge smalltalk} reads it). */
    public RunConfig(RunSection run, ModelConfig model, LossConfig losses, AllocationConfig allocation, DataConfig data,
                     TrainerConfig trainer, ExportConfig export, DistributedConfig distributed) {
        this(run, model, losses, allocation, data, trainer, export, distributed, MixtureConfig.DEFAULTS);
    }

    public RunConfig {
        if (mixture == null) throw new IllegalArgumentException("mixture: missing section");
        temporalChecks(model, losses, trainer, export);
        if (model.vocabSize() != data.vocabSize()) {
            throw new IllegalArgumentException("model.vocab_size: " + model.vocabSize()
                    + " does not match the vocabulary of data.tokenizer = " + ConfigLoader.enumName(data.tokenizer())
                    + " (" + data.vocabSize() + "); set model.vocab_size: " + data.vocabSize());
        }
        int experts = routedExperts(model);
        if (experts > 0) {
            int ranks = allocation.ranks();
            if (ranks > experts) {
                throw new IllegalArgumentException("allocation.ranks: " + ranks + " ranks exceed the " + experts
                        + " routed experts; use at most " + experts + " (" + divisors(experts) + ")");
            }
            if (experts % ranks != 0) {
                throw new IllegalArgumentException("allocation.ranks: " + ranks + " does not divide the " + experts
                        + " routed experts; choose one of " + divisors(experts));
            }
            if (model.ffn() == ModelConfig.FfnType.MOHGE
                    && allocation.strategy() == AllocationConfig.Strategy.ALL_SIZE_DECOUPLED
                    && model.mohge().groups() % 2 != 0) {
                throw new IllegalArgumentException("allocation.strategy: all-size-decoupled pairs the smallest group "
                        + "with the largest and needs an even number of groups, but model.mohge.groups = "
                        + model.mohge().groups() + "; use an even group count or strategy: contiguous / greedy");
            }
        }
    }

    /** Checks between the temporal-routing, conversion and export settings (docs/temporal.md). */
    private static void temporalChecks(ModelConfig model, LossConfig losses, TrainerConfig trainer, ExportConfig export) {
        if (trainer.trainable().contains("controller") && !model.hasController()) {
            throw new IllegalArgumentException("trainer.trainable: 'controller' names the switch controllers, but "
                    + "model.temporal.controller is false; set model.temporal.controller: true or drop 'controller'");
        }
        if (trainer.controllerLr() > 0 && !model.hasController()) {
            throw new IllegalArgumentException("trainer.controller_lr: " + trainer.controllerLr() + " is the learning rate "
                    + "of the switch controllers, but model.temporal.controller is false; set controller_lr: 0 or add "
                    + "the controllers");
        }
        if (model.ffn() == ModelConfig.FfnType.DENSE && trainer.trainable().contains("routers")) {
            throw new IllegalArgumentException("trainer.trainable: 'routers' names no parameter of a dense model "
                    + "(model.ffn: dense); drop it or use a routed FFN");
        }
        if (losses.hasDistillation() && trainer.initFrom().isEmpty()) {
            throw new IllegalArgumentException("losses.distill_coef: self-distillation learns from the original "
                    + "model's predictions, but trainer.init_from is empty; give the checkpoint to convert "
                    + "(mohge train --init-from CHECKPOINT) or set distill_coef: 0");
        }
        if (model.hasController() && export.onFinish()) {
            throw new IllegalArgumentException("export.on_finish: the export format (modeling_mohge.py) has no switch "
                    + "controller yet, and model.temporal.controller is true; set export.on_finish: false and serve the "
                    + "checkpoint with mohge generate --checkpoint");
        }
    }

    /** The routed experts of one layer as the allocator sees them; empty for a dense FFN. */
    public java.util.Optional<ExpertLayout> expertLayout() {
        return switch (model.ffn()) {
            case DENSE -> java.util.Optional.empty();
            case MOE -> java.util.Optional.of(ExpertLayout.uniform(model.moe().experts(), model.moe().width()));
            case MOHGE -> java.util.Optional.of(new ExpertLayout(model.mohge().widths(), model.mohge().expertsPerGroup()));
        };
    }

    /** Number of routed experts per layer (0 for a dense FFN). */
    public static int routedExperts(ModelConfig model) {
        return switch (model.ffn()) {
            case DENSE -> 0;
            case MOE -> model.moe().experts();
            case MOHGE -> model.mohge().experts();
        };
    }

    private static String divisors(int n) {
        StringBuilder sb = new StringBuilder();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) sb.append(sb.length() == 0 ? "" : ", ").append(d);
        }
        return sb.toString();
    }
}
