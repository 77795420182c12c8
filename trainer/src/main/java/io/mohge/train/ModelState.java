package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.engine.ParamStore;
import io.mohge.tensors.FloatTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A model's tensors as checkpoints see them: trainable parameters and non-trained state (router biases) by
 * name, copied to and from {@link FloatTensor} maps. The live values stay in the engine's {@link ParamStore}.
 */
public final class ModelState {

    private final ParamStore store;

    public ModelState(ParamStore store) {
        this.store = store;
    }

    public ParamStore store() {
        return store;
    }

    /** Parameter names in model order. */
    public List<String> paramNames() {
        return store.names();
    }

    /** Total number of trainable values. */
    public long parameterCount() {
        return store.size();
    }

    /** Copies of the parameters by name. */
    public Map<String, FloatTensor> paramTensors() {
        return tensors(store.values());
    }

    /** Copies of the slices of a flat [P] array (parameters, or optimizer moments) by parameter name. */
    public Map<String, FloatTensor> tensors(INDArray flat) {
        Map<String, FloatTensor> out = new TreeMap<>();
        for (String name : store.names()) out.put(name, FloatTensor.of(slice(flat, name)));
        return out;
    }

    /** Copies of the non-trained state (router biases). */
    public Map<String, FloatTensor> stateTensors() {
        Map<String, FloatTensor> out = new TreeMap<>();
        store.state().forEach((name, a) -> out.put(name, FloatTensor.of(a)));
        return out;
    }

    /** Overwrites parameters and state from a checkpoint; names and shapes must match exactly. */
    public void load(Map<String, FloatTensor> params, Map<String, FloatTensor> stateTensors, String source) {
        assign(params, store.values(), "parameters", source);
        sameNames(store.state().keySet(), stateTensors, "router state", source);
        store.state().forEach((name, a) -> a.assign(checked(stateTensors.get(name), a.shape(), name, source)));
    }

    /** Overwrites the slices of a flat [P] array from tensors by parameter name (e.g. optimizer moments). */
    public void assign(Map<String, FloatTensor> values, INDArray flat, String what, String source) {
        sameNames(store.names(), values, what, source);
        for (String name : store.names()) {
            INDArray target = slice(flat, name);
            target.assign(checked(values.get(name), target.shape(), name, source));
        }
    }

    private INDArray slice(INDArray flat, String name) {
        ParamStore.Entry e = store.entry(name);
        return flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(e.offset(), e.offset() + e.length()))
                .reshape(e.shape());
    }

    private static INDArray checked(FloatTensor t, long[] shape, String name, String source) {
        if (!Arrays.equals(shape, t.shape())) {
            throw new BadInputException("checkpoint " + source + ": " + name + " has shape "
                    + Arrays.toString(t.shape()) + " but the model expects " + Arrays.toString(shape));
        }
        return t.toINDArray();
    }

    private static void sameNames(java.util.Collection<String> names, Map<String, FloatTensor> values, String what,
                                  String source) {
        if (!new TreeSet<>(names).equals(new TreeSet<>(values.keySet()))) {
            TreeSet<String> missing = new TreeSet<>(names);
            missing.removeAll(values.keySet());
            TreeSet<String> extra = new TreeSet<>(values.keySet());
            extra.removeAll(names);
            throw new BadInputException("checkpoint " + source + ": its " + what + " do not match the model "
                    + "(missing " + missing + ", unknown " + extra + "); was it written for another model config?");
        }
    }
}
