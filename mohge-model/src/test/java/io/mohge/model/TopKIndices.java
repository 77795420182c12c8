package io.mohge.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

import io.mohge.losses.SdOps;

/**
 * libnd4j's {@code top_k} called directly with integer arguments (k, sorted). The library's own wrapper
 * (sd.nn.topK) passes its arguments in the wrong order in ND4J 1.0.0-M2.1 and has no backprop (docs/engine.md).
 * Only the indices are used; selection is not differentiable, gates are built as oneHot(idx) * probabilities.
 */
public final class TopKIndices extends DynamicCustomOp {

    /** Required by SameDiff's deserialisation. */
    public TopKIndices() {
    }

    private TopKIndices(SameDiff sd, SDVariable input, int k) {
        super(null, sd, new SDVariable[] {input}, false);
        addIArgument(k, 1);
    }

    /**
     * Indices of the k largest entries along the last axis, largest first.
     *
     * @param scores [N, C]
     * @return [N, k] INT indices in [0, C)
     */
    public static SDVariable of(SameDiff sd, SDVariable scores, int k) {
        return new TopKIndices(sd, SdOps.stopGradient(sd, scores), k).outputVariables()[1];
    }

    @Override
    public String opName() {
        return "top_k";
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return Arrays.asList(inputTypes.get(0), DataType.INT);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        return Collections.singletonList(sameDiff.zerosLike(arg()));
    }
}
