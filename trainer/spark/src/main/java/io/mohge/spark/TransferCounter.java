package io.mohge.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.SparkStageInfo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes Spark itself reports per job group: task results sent to the driver (their serialised size) and shuffle
 * bytes read by reduce tasks. Spark delivers listener events asynchronously; {@link #totals} waits until the
 * listener has seen every task the status tracker counts for the group.
 */
final class TransferCounter extends SparkListener {

    /** Byte counts of one job group. */
    record Bytes(long results, long shuffleRead, long tasks) { }

    private static final String GROUP = "spark.jobGroup.id";

    private final Map<Integer, String> stageGroups = new ConcurrentHashMap<>();
    private final Map<String, long[]> byGroup = new ConcurrentHashMap<>();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
        String group = e.properties() == null ? null : e.properties().getProperty(GROUP);
        if (group != null) stageGroups.put(e.stageInfo().stageId(), group);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        String group = stageGroups.get(e.stageId());
        TaskMetrics m = e.taskMetrics();
        if (group == null) return;
        long[] b = byGroup.computeIfAbsent(group, g -> new long[3]);
        synchronized (b) {
            if (m != null) {
                b[0] += m.resultSize();
                b[1] += m.shuffleReadMetrics().totalBytesRead();
            }
            b[2]++;
        }
    }

    /** The group's totals once every task of its jobs has been counted (at most 30 s of waiting). */
    Bytes totals(JavaSparkContext sc, String group) {
        long expected = 0;
        for (int job : sc.statusTracker().getJobIdsForGroup(group)) {
            var info = sc.statusTracker().getJobInfo(job);
            if (info == null) continue;
            for (int stage : info.stageIds()) {
                SparkStageInfo s = sc.statusTracker().getStageInfo(stage);
                if (s != null) expected += s.numCompletedTasks() + s.numFailedTasks();
            }
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            long[] b = byGroup.getOrDefault(group, new long[3]);
            synchronized (b) {
                if (b[2] >= expected || System.nanoTime() > deadline) return new Bytes(b[0], b[1], b[2]);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return new Bytes(b[0], b[1], b[2]);
            }
        }
    }
}
