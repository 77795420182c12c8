package io.mohge.train;

import io.mohge.export.FloatTensor;
import io.mohge.model.DecoderLM;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The arrays of a {@link DecoderLM}'s graph by name: trainable parameters (updated in place by the optimizer,
 * so the graph sees every update) and non-trained state (router biases), plus copies to and from
 * {@link FloatTensor} maps for checkpoints.
 */
public final class ModelState {

    private final SameDiff sd;
    private final List<String> trainable;
    private final List<String> state;

    public ModelState(DecoderLM lm) {
        this.sd = lm.sameDiff();
        this.trainable = lm.trainableParams();
        this.state = lm.stateNames();
    }

    /** The live parameter arrays, in the model's order (input to output). */
    public Map<String, INDArray> params() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : trainable) out.put(name, sd.getArrForVarName(name));
        return out;
    }

    public List<String> paramNames() {
        return trainable;
    }

    /** Copies of the parameters. */
    public Map<String, FloatTensor> paramTensors() {
        return copy(trainable);
    }

    /** Copies of the non-trained state (router biases). */
    public Map<String, FloatTensor> stateTensors() {
        return copy(state);
    }

    /** Total number of trainable values. */
    public long parameterCount() {
        long n = 0;
        for (String name : trainable) n += sd.getArrForVarName(name).length();
        return n;
    }

    /** Overwrites parameters and state from a checkpoint; names and shapes must match exactly. */
    public void load(Map<String, FloatTensor> params, Map<String, FloatTensor> stateTensors, String source) {
        assign(trainable, params, "parameters", source);
        assign(state, stateTensors, "router state", source);
    }

    private Map<String, FloatTensor> copy(List<String> names) {
        Map<String, FloatTensor> out = new TreeMap<>();
        for (String name : names) out.put(name, FloatTensor.of(sd.getArrForVarName(name)));
        return out;
    }

    private void assign(List<String> names, Map<String, FloatTensor> values, String what, String source) {
        if (!new TreeSet<>(names).equals(new TreeSet<>(values.keySet()))) {
            TreeSet<String> missing = new TreeSet<>(names);
            missing.removeAll(values.keySet());
            TreeSet<String> extra = new TreeSet<>(values.keySet());
            extra.removeAll(names);
            throw new IllegalArgumentException("checkpoint " + source + ": its " + what + " do not match the model "
                    + "(missing " + missing + ", unknown " + extra + "); was it written for another model config?");
        }
        for (String name : names) {
            INDArray target = sd.getArrForVarName(name);
            FloatTensor t = values.get(name);
            if (!Arrays.equals(target.shape(), t.shape())) {
                throw new IllegalArgumentException("checkpoint " + source + ": " + name + " has shape "
                        + Arrays.toString(t.shape()) + " but the model expects " + Arrays.toString(target.shape()));
            }
            target.assign(t.toINDArray().castTo(target.dataType()));
        }
    }
}
