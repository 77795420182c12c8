package io.mohge.train;

import io.mohge.engine.ParamStore;
import io.mohge.model.ParamNames;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Which parameters a run updates ({@code trainer.trainable}). Every parameter belongs to one group:
 * <pre>
 *   controller  layers.{i}.ffn.controller.*                 the switch controllers (docs/temporal.md)
 *   routers     layers.{i}.ffn.router.*                     group and expert router weights
 *   ffn         layers.{i}.ffn.{experts,shared}.*, layers.{i}.ffn.{w1,w2,w3}.weight (dense)
 *   attention   layers.{i}.attention.*
 *   norms       every RMSNorm gain
 *   embedding   tok_embeddings.weight
 *   output      output.weight
 * </pre>
 * A frozen parameter gets a zero gradient before clipping and no weight decay, so AdamW leaves it bit for bit as it
 * was (its moments stay 0 and its update is 0 / (0 + eps)).
 */
public final class Trainable {

    private Trainable() { }

    /** The group of a parameter name. */
    public static String groupOf(String name) {
        if (ParamNames.isController(name)) return "controller";
        if (name.endsWith("norm.weight")) return "norms";
        if (name.equals(ParamNames.TOK_EMBEDDINGS)) return "embedding";
        if (name.equals(ParamNames.OUTPUT)) return "output";
        if (name.matches("layers\\.\\d+\\.ffn\\.router\\..*")) return "routers";
        if (name.matches("layers\\.\\d+\\.attention\\..*")) return "attention";
        if (name.matches("layers\\.\\d+\\.ffn\\..*")) return "ffn";
        throw new IllegalStateException("parameter " + name + " belongs to no trainable group");
    }

    /** [P] 1 where the parameter trains, 0 where it is frozen; null when every parameter trains. */
    public static INDArray mask(ParamStore store, List<String> groups) {
        if (groups.contains("all")) return null;
        INDArray mask = store.values().ulike().assign(0);
        for (String name : store.names()) {
            if (groups.contains(groupOf(name))) {
                ParamStore.Entry e = store.entry(name);
                mask.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(e.offset(), e.offset() + e.length())).assign(1);
            }
        }
        return mask;
    }
}
