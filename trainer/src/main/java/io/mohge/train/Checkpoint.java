package io.mohge.train;

import io.mohge.tensors.FloatTensor;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything needed to continue a run exactly where it stopped, or to export it.
 *
 * @param step          optimizer steps completed
 * @param params        trainable parameters by SameDiff variable name
 * @param optimizer     AdamW step count and moments
 * @param routerBiases  non-trained router state (auxiliary-loss-free balancing biases, docs/method.md section 7),
 *                      by variable name; empty when the model has none
 * @param rngSeed       the run seed
 * @param rngState      position of the run's random stream (the trainer derives per-step randomness from
 *                      (rngSeed, rngState), so this is all the RNG state there is)
 * @param dataPosition  the data module's resumable position, an opaque JSON string
 * @param configYaml    the resolved run config as YAML
 * @param placementJson expert placement on ranks as JSON ("" when the model has no routed experts)
 */
public record Checkpoint(long step, Map<String, FloatTensor> params, AdamW.State optimizer,
                         Map<String, FloatTensor> routerBiases, long rngSeed, long rngState,
                         String dataPosition, String configYaml, String placementJson) {

    public Checkpoint {
        if (step < 0) throw new IllegalArgumentException("step: must be 0 or more, got " + step);
        if (params == null || params.isEmpty()) throw new IllegalArgumentException("params: a checkpoint needs parameters");
        if (optimizer == null || routerBiases == null || dataPosition == null || configYaml == null
                || placementJson == null) {
            throw new IllegalArgumentException("checkpoint fields must not be null (use empty maps or strings)");
        }
        params = Collections.unmodifiableMap(new TreeMap<>(params));
        routerBiases = Collections.unmodifiableMap(new TreeMap<>(routerBiases));
    }
}
