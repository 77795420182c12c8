package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Shape helpers that work around ND4J 1.0.0-M2.1 limitations. */
final class SdUtil {

    private SdUtil() {
    }

    /**
     * 0/1 mask of the selected indices: {@code mask[n, c] = 1 if c in idx[n, :]}.
     * ND4J fails on reductions along an axis of size 1, so k = 1 is a reshape instead of a sum.
     *
     * @param idx [N, k] INT, distinct per row
     * @return [N, classes]
     */
    static SDVariable selectionMask(SameDiff sd, SDVariable idx, int k, int classes, SDVariable like) {
        SDVariable oneHot = sd.oneHot(idx, classes, -1, 1.0, 0.0, like.dataType());      // [N, k, C]
        return sumMiddle(sd, oneHot, k, classes);                                        // [N, C]
    }

    /** Sum over axis 1 of [N, k, C] (a reshape when k = 1). */
    static SDVariable sumMiddle(SameDiff sd, SDVariable x, int k, int last) {
        return k == 1 ? sd.reshape(x, -1, last) : sd.sum(x, 1);
    }
}
