package io.mohge.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * The models an executor JVM keeps between tasks, for one run at a time. A model is not thread-safe, so concurrent
 * tasks borrow different ones; the pool therefore holds at most as many models as tasks ever ran at once on the
 * executor. When a task of another run (another config) arrives, the idle models of the previous run are closed,
 * and models of the previous run given back later are closed instead of kept, so a long-lived executor that serves
 * many runs holds one run's models, not every run's.
 *
 * @param <K> what a model is built from (equal keys: interchangeable models)
 * @param <M> a model with resources to release (its open data reader)
 */
final class ModelPool<K, M extends AutoCloseable> {

    private K key;
    private final Deque<M> idle = new ArrayDeque<>();

    /** An idle model built for {@code key}, or a new one from {@code build}. */
    M borrow(K key, Function<K, M> build) {
        synchronized (this) {
            if (!key.equals(this.key)) {
                closeIdle();
                this.key = key;
            }
            M m = idle.poll();
            if (m != null) return m;
        }
        return build.apply(key); // outside the lock: building opens files and allocates
    }

    /** Returns a model after its task; a model of a run the pool has moved past is closed. */
    void giveBack(K key, M model) {
        synchronized (this) {
            if (key.equals(this.key)) {
                idle.push(model);
                return;
            }
        }
        closeQuietly(model);
    }

    /** Closes every idle model (e.g. when the executor shuts down). */
    synchronized void closeIdle() {
        while (!idle.isEmpty()) closeQuietly(idle.poll());
    }

    synchronized int idleCount() {
        return idle.size();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // a model's reader failing to close must not fail the task that returned it
        }
    }
}
