package io.mohge.model;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Parameter counts computed from a {@link ModelConfig} alone (no graph), total and active per token, per
 * component. Active routed-expert parameters of a MoHGE layer depend on which groups a token uses; the figure
 * reported is the expectation under uniform routing, K * 3 * D * mean(s_g) (docs/method.md section 1), with
 * {@link #routedActiveRange} giving the cheapest and dearest possible choice. The embedding counts one row
 * (D) as active per token.
 *
 * @param total  parameters per component summed over layers
 * @param active parameters used by one token per component summed over layers
 */
public record ParamCount(Map<Component, Long> total, Map<Component, Double> active) {

    /** Model components, in order from input to output. */
    public enum Component { EMBEDDING, ATTENTION, NORMS, ROUTER, DENSE_FFN, ROUTED_EXPERTS, SHARED_EXPERTS, OUTPUT }

    public ParamCount {
        total = Collections.unmodifiableMap(new EnumMap<>(total));
        active = Collections.unmodifiableMap(new EnumMap<>(active));
    }

    public static ParamCount of(ModelConfig c) {
        long d = c.dModel();
        long layers = c.nLayers();
        Map<Component, Long> total = new EnumMap<>(Component.class);
        Map<Component, Double> active = new EnumMap<>(Component.class);
        for (Component component : Component.values()) {
            total.put(component, 0L);
            active.put(component, 0.0);
        }
        put(total, active, Component.EMBEDDING, (long) c.vocabSize() * d, d);
        put(total, active, Component.ATTENTION, layers * 4 * d * d, layers * 4.0 * d * d);
        long norms = layers * 2 * d + d;
        put(total, active, Component.NORMS, norms, norms);
        put(total, active, Component.OUTPUT, d * c.vocabSize(), (double) d * c.vocabSize());
        switch (c.ffn()) {
            case DENSE -> {
                long ffn = layers * 3 * d * c.dense().width();
                put(total, active, Component.DENSE_FFN, ffn, ffn);
            }
            case MOE -> {
                long router = layers * d * c.moe().experts();
                put(total, active, Component.ROUTER, router, router);
                put(total, active, Component.ROUTED_EXPERTS, layers * routedExpertsPerLayer(c),
                        layers * 3.0 * d * c.moe().topK() * c.moe().width());
            }
            case MOHGE -> {
                ModelConfig.Mohge m = c.mohge();
                long router = layers * d * ((m.groups() > 1 ? m.groups() : 0) + m.experts());
                put(total, active, Component.ROUTER, router, router);
                double meanWidth = m.widths().stream().mapToInt(Integer::intValue).average().orElseThrow();
                put(total, active, Component.ROUTED_EXPERTS, layers * routedExpertsPerLayer(c),
                        layers * 3.0 * d * m.topK() * meanWidth);
            }
        }
        if (c.hasController()) {                      // controller weight [D, 1] and bias [1] per routed layer
            long controller = layers * (d + 1);
            put(total, active, Component.ROUTER, total.get(Component.ROUTER) + controller,
                    active.get(Component.ROUTER) + controller);
        }
        if (c.ffn() != ModelConfig.FfnType.DENSE && c.shared().count() > 0) {
            long shared = layers * 3 * d * c.shared().count() * c.shared().width();
            put(total, active, Component.SHARED_EXPERTS, shared, shared);
        }
        return new ParamCount(total, active);
    }

    /** Routed expert weights of one layer: E * 3 * D * width (moe) or N * 3 * D * sum_g s_g (mohge). */
    public static long routedExpertsPerLayer(ModelConfig c) {
        long d = c.dModel();
        return switch (c.ffn()) {
            case DENSE -> 0;
            case MOE -> (long) c.moe().experts() * 3 * d * c.moe().width();
            case MOHGE -> (long) c.mohge().expertsPerGroup() * 3 * d
                    * c.mohge().widths().stream().mapToLong(Integer::longValue).sum();
        };
    }

    /**
     * Smallest and largest routed-expert parameters one token of one layer can use: the K narrowest / widest
     * experts that fit into K_g groups of N experts (moe: both equal K * 3 * D * width).
     */
    public static long[] routedActiveRange(ModelConfig c) {
        long d = c.dModel();
        if (c.ffn() == ModelConfig.FfnType.MOE) {
            long v = 3L * d * c.moe().topK() * c.moe().width();
            return new long[] {v, v};
        }
        if (c.ffn() == ModelConfig.FfnType.DENSE) return new long[] {0, 0};
        ModelConfig.Mohge m = c.mohge();
        long low = 0;
        long high = 0;
        int left = m.topK();
        for (int g = 0; g < m.groups() && left > 0; g++) {   // widths ascend, so narrowest groups first
            int take = Math.min(left, m.expertsPerGroup());
            low += (long) take * m.width(g);
            left -= take;
        }
        left = m.topK();
        for (int g = m.groups() - 1; g >= 0 && left > 0; g--) {
            int take = Math.min(left, m.expertsPerGroup());
            high += (long) take * m.width(g);
            left -= take;
        }
        return new long[] {3 * d * low, 3 * d * high};
    }

    public long totalParams() {
        return total.values().stream().mapToLong(Long::longValue).sum();
    }

    public double activeParams() {
        return active.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static void put(Map<Component, Long> total, Map<Component, Double> active, Component component,
                            long totalValue, double activeValue) {
        total.put(component, totalValue);
        active.put(component, activeValue);
    }
}
