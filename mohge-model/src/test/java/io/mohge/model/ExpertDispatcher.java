package io.mohge.model;

import java.util.Arrays;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sends tokens to their selected experts and combines the gated results:
 * {@code y_t = sum_{e in TopK(t)} keep_{t,e} * w_{t,e} * Expert_e(u_t)} (docs/method.md section 1).
 *
 * <p>Sparse form (used for training): the N*K (token, slot) assignments are split by expert with
 * dynamicPartition, every expert runs one matmul chain on its own rows only, and unsortedSegmentSum adds the
 * gated rows back to their tokens. Each partition gets one extra zero row (and zero gate) because matmul
 * backprop fails on an empty [0, D] partition in ND4J 1.0.0-M2.1 (docs/engine.md); a SwiGLU expert maps a zero
 * row to zero, so the extra rows add nothing. Assignments dropped by the capacity limit go to an extra
 * partition that no expert reads.
 *
 * <p>Dense-masked form (test oracle only): every expert runs on every token and is multiplied by its gate.
 */
final class ExpertDispatcher {

    private ExpertDispatcher() {
    }

    /**
     * Capacity decision (Switch Transformer / GShard): capacity = ceil(N*K/E * CF) per expert; assignments are
     * admitted in slot-major order (all first choices by position, then all second choices, ...) and those
     * beyond capacity are dropped.
     *
     * @param keep      [N*K] 1 = admitted, 0 = dropped, token-major (same order as reshape(idx, -1))
     * @param keptMask  [N, E] expertMask restricted to admitted assignments
     * @param dropped   scalar number of dropped assignments
     */
    record Capacity(SDVariable keep, SDVariable keptMask, SDVariable dropped) {
    }

    static Capacity capacity(SameDiff sd, SDVariable idx, int experts, int topK, double factor, DataType dtype) {
        SDVariable slotMajor = sd.reshape(sd.permute(idx, 1, 0), -1);                               // [K*N]
        SDVariable oneHot = sd.oneHot(slotMajor, experts, -1, 1.0, 0.0, dtype);                    // [K*N, E]
        SDVariable before = sd.cumsum(oneHot, true, false, 0);                                     // [K*N, E]
        SDVariable position = sd.sum(before.mul(oneHot), 1);                                       // [K*N]
        SDVariable limit = sd.math.ceil(sd.sum(oneHot).mul(factor / experts));                     // scalar
        SDVariable keepSlotMajor = sd.castTo(sd.lt(position, limit), dtype);                       // [K*N]
        SDVariable keep = sd.reshape(sd.permute(sd.reshape(keepSlotMajor, topK, -1), 1, 0), -1);   // [N*K]
        SDVariable assigned = sd.oneHot(idx, experts, -1, 1.0, 0.0, dtype);                        // [N, K, E]
        SDVariable keptMask = SdUtil.sumMiddle(sd, assigned.mul(sd.reshape(keep, -1, topK, 1)), topK, experts);
        SDVariable dropped = sd.sum(keep.rsub(1.0));                                               // scalar
        return new Capacity(keep, keptMask, dropped);
    }

    /**
     * @param u       [N, D] token states
     * @param idx     [N, K] INT selected experts
     * @param gates   [N, E] gates (zero outside the selection)
     * @param keep    [N*K] admitted assignments, or null when dropless
     * @param experts one FFN per expert
     * @return [N, D]
     */
    static SDVariable sparse(SameDiff sd, SDVariable u, SDVariable idx, SDVariable gates, SDVariable keep,
                             List<SwiGluFfn> experts, int topK, int dModel) {
        int count = experts.size();
        DataType dtype = u.dataType();
        SDVariable flat = sd.reshape(idx, -1);                                                     // [N*K]
        SDVariable slotGate = sd.sum(sd.oneHot(idx, count, -1, 1.0, 0.0, dtype)
                .mul(sd.expandDims(gates, 1)), 2);                                                  // [N, K]
        SDVariable gate = sd.reshape(slotGate, -1, 1);                                             // [N*K, 1]
        SDVariable[] copies = new SDVariable[topK];
        Arrays.fill(copies, u);
        SDVariable rows = topK == 1 ? u : sd.reshape(sd.concat(1, copies), -1, dModel);         // [N*K, D]
        // (concat instead of tile: tile's backprop is about 10x slower in ND4J 1.0.0-M2.1)
        SDVariable position = sd.range(sd.constant(0), sd.sizeAt(flat, 0), sd.constant(1), DataType.INT);
        SDVariable token = sd.castTo(sd.math.floorDiv(position, sd.constant(topK)), DataType.INT); // [N*K]

        SDVariable target = flat;                                                                  // [N*K]
        int partitions = count;
        if (keep != null) {  // dropped assignments go to partition E, which no expert reads
            SDVariable flatF = sd.castTo(flat, dtype);
            target = sd.castTo(flatF.mul(keep).add(keep.rsub(1.0).mul(count)), DataType.INT);
            partitions = count + 1;
        }
        SDVariable[] rowParts = sd.dynamicPartition(rows, target, partitions);                     // [n_e, D]
        SDVariable[] gateParts = sd.dynamicPartition(gate, target, partitions);                    // [n_e, 1]
        SDVariable[] tokenParts = sd.dynamicPartition(token, target, partitions);                  // [n_e]

        SDVariable zeroRow = sd.constant(Nd4j.zeros(dtype, 1, dModel));
        SDVariable zeroGate = sd.constant(Nd4j.zeros(dtype, 1, 1));
        SDVariable zeroToken = sd.constant(Nd4j.createFromArray(new int[] {0}));
        SDVariable[] outputs = new SDVariable[count];
        SDVariable[] segments = new SDVariable[count];
        for (int e = 0; e < count; e++) {
            SDVariable in = sd.concat(0, rowParts[e], zeroRow);                                    // [n_e + 1, D]
            SDVariable g = sd.concat(0, gateParts[e], zeroGate);                                   // [n_e + 1, 1]
            outputs[e] = experts.get(e).apply(sd, in).mul(g);                                      // [n_e + 1, D]
            segments[e] = sd.concat(0, tokenParts[e], zeroToken);                                  // [n_e + 1]
        }
        return sd.unsortedSegmentSum(sd.concat(0, outputs), sd.concat(0, segments), sd.sizeAt(u, 0)); // [N, D]
    }

    /**
     * Test oracle: {@code y = sum_e gates[:, e] * Expert_e(u)} computed for every token and expert.
     *
     * @param gates [N, E] effective gates (already zero for dropped assignments)
     */
    static SDVariable denseMasked(SameDiff sd, SDVariable u, SDVariable gates, List<SwiGluFfn> experts) {
        SDVariable y = null;
        for (int e = 0; e < experts.size(); e++) {
            SDVariable column = sd.reshape(gates.get(SDIndex.all(), SDIndex.point(e)), -1, 1);     // [N, 1]
            SDVariable term = experts.get(e).apply(sd, u).mul(column);                             // [N, D]
            y = y == null ? term : y.add(term);
        }
        return y;
    }
}
