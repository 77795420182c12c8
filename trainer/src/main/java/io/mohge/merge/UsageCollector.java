package io.mohge.merge;

import io.mohge.config.BadInputException;
import io.mohge.export.ExportLm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the calibration streams through the model as a server would see them, one batch at a time with the tasks
 * interleaved, and feeds the routing of every batch into a {@link TaskStats}. The interleaving is a smooth weighted
 * round robin over the tasks' batch counts, so each task's batches are spread evenly over the stream and the task
 * shares' moving average stays close to the tasks' true proportions throughout.
 */
public final class UsageCollector {

    private UsageCollector() { }

    public static TaskStats collect(ExportLm lm, List<TaskData> tasks, CalibrationReader.Budget budget, double decay) {
        int layers = lm.config().nLayers();
        if (!(lm.config().ffnSpec() instanceof io.mohge.model.FfnSpec.Routed routed)) {
            throw new BadInputException("--export: the model has a dense FFN, so there is no expert usage to measure; "
                    + "give the export of a mohge or moe model");
        }
        int experts = routed.experts();
        TaskStats stats = new TaskStats(layers, experts, decay);
        Map<String, int[][]> windows = new LinkedHashMap<>();
        Map<String, Integer> batches = new LinkedHashMap<>();
        for (TaskData t : tasks) {
            int[][] w = t.windows(TaskData.Part.CALIBRATION, budget.seqLen(), budget.calibrationWindows(), budget.batch());
            windows.put(t.name(), w);
            batches.put(t.name(), w.length / budget.batch());
        }
        Map<String, Integer> next = new LinkedHashMap<>();
        for (String task : schedule(batches)) {
            int b = next.merge(task, 1, Integer::sum) - 1;
            int[][] batch = java.util.Arrays.copyOfRange(windows.get(task), b * budget.batch(), (b + 1) * budget.batch());
            stats.observe(task, lm.forward(batch).tokensPerExpert());
        }
        return stats;
    }

    /**
     * The order in which tasks' batches are served: smooth weighted round robin (each turn every task gains its
     * batch count, the task with the most credit goes and pays the total; ties go to the task listed first).
     */
    static List<String> schedule(Map<String, Integer> batches) {
        int total = batches.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> credit = new LinkedHashMap<>();
        batches.keySet().forEach(k -> credit.put(k, 0));
        List<String> order = new ArrayList<>(total);
        for (int turn = 0; turn < total; turn++) {
            String best = null;
            for (Map.Entry<String, Integer> e : batches.entrySet()) {
                int c = credit.get(e.getKey()) + e.getValue();
                credit.put(e.getKey(), c);
                if (best == null || c > credit.get(best)) best = e.getKey();
            }
            credit.put(best, credit.get(best) - total);
            order.add(best);
        }
        return order;
    }
}
