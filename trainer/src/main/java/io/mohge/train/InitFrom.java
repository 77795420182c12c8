package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigLoader;
import io.mohge.config.RunConfig;
import io.mohge.engine.Transformer;
import io.mohge.tensors.FloatTensor;
import io.mohge.model.ParamNames;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The trained checkpoint a conversion starts from ({@code trainer.init_from}, {@code mohge train --init-from};
 * docs/temporal.md). Its model must be the run's model except for {@code model.temporal}: the run may add
 * switch controllers, which start from their initialisation while every other tensor is copied. The same checkpoint,
 * frozen, is the teacher of self-distillation.
 *
 * @param dir        the checkpoint directory
 * @param checkpoint its verified contents
 * @param config     the run config stored with it
 */
public record InitFrom(Path dir, Checkpoint checkpoint, RunConfig config) {

    /** The checkpoint named by {@code trainer.init_from}, verified and checked against the run; null when unset. */
    public static InitFrom open(RunConfig cfg) throws IOException {
        String from = cfg.trainer().initFrom();
        if (from.isEmpty()) return null;
        Path dir = Path.of(from);
        if (!Files.isRegularFile(dir.resolve(CheckpointStore.CONFIG))) {
            throw new BadInputException("trainer.init_from: " + dir + " is not a checkpoint directory (no "
                    + CheckpointStore.CONFIG + "); give a directory like runs/mohge-tiny/checkpoints/step-000400");
        }
        Checkpoint c = CheckpointStore.load(dir);
        RunConfig saved = ConfigLoader.load(dir.resolve(CheckpointStore.CONFIG));
        if (!saved.model().withTemporal(cfg.model().temporal()).equals(cfg.model())) {
            throw new BadInputException("trainer.init_from: checkpoint " + dir + " was trained with another model "
                    + "config; a conversion may change only model.temporal (compare with " + dir.resolve(CheckpointStore.CONFIG)
                    + ")");
        }
        return new InitFrom(dir, c, saved);
    }

    /**
     * Copies the checkpoint's tensors into the run's model by name: every tensor of the checkpoint must exist with the
     * same shape, and the model's tensors the checkpoint lacks may only be switch-controller parameters (they keep
     * their initialisation).
     */
    public void loadInto(ModelState state) {
        Map<String, FloatTensor> params = new TreeMap<>(checkpoint.params());
        TreeSet<String> extra = new TreeSet<>(params.keySet());
        extra.removeAll(state.paramNames());
        if (!extra.isEmpty()) {
            throw new BadInputException("trainer.init_from: checkpoint " + dir + " holds tensors the model lacks: "
                    + extra + "; a conversion may only add switch controllers");
        }
        Map<String, FloatTensor> current = state.paramTensors();
        for (String name : state.paramNames()) {
            if (!params.containsKey(name)) {
                if (!ParamNames.isController(name)) {
                    throw new BadInputException("trainer.init_from: checkpoint " + dir + " has no tensor " + name);
                }
                params.put(name, current.get(name));
            }
        }
        state.load(params, checkpoint.routerBiases(), dir.toString());
    }

    /** The original model, frozen, for self-distillation (float32, greedy switch decisions if it has controllers). */
    public Transformer teacher() {
        Transformer t = Transformer.create(config.model(), config.losses(), config.run().seed(), DataType.FLOAT);
        new ModelState(t.params()).load(checkpoint.params(), checkpoint.routerBiases(), dir.toString());
        return t;
    }
}
