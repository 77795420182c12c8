package io.mohge.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelPoolTest {

    /** A stand-in model that records whether it was closed. */
    static final class Fake implements AutoCloseable {
        final String key;
        boolean closed;

        Fake(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void reusesModelsOfOneRunAndHoldsOnlyAsManyAsRanAtOnce() {
        ModelPool<String, Fake> pool = new ModelPool<>();
        List<Fake> built = new ArrayList<>();
        Fake a = pool.borrow("run-a", k -> add(built, k));
        Fake b = pool.borrow("run-a", k -> add(built, k)); // a concurrent task gets its own model
        pool.giveBack("run-a", a);
        pool.giveBack("run-a", b);
        assertEquals(2, pool.idleCount());
        Fake again = pool.borrow("run-a", k -> add(built, k));
        assertTrue(again == a || again == b);
        assertEquals(2, built.size(), "an idle model is reused, not rebuilt");
        pool.giveBack("run-a", again);
        assertEquals(2, pool.idleCount());
    }

    @Test
    void aNewRunClosesThePreviousRunsModels() {
        ModelPool<String, Fake> pool = new ModelPool<>();
        List<Fake> built = new ArrayList<>();
        Fake idle = pool.borrow("run-a", k -> add(built, k));
        Fake busy = pool.borrow("run-a", k -> add(built, k));
        pool.giveBack("run-a", idle);

        Fake next = pool.borrow("run-b", k -> add(built, k));
        assertEquals("run-b", next.key);
        assertTrue(idle.closed, "idle models of the previous run are closed");
        assertFalse(busy.closed, "a model still in use is not touched");
        pool.giveBack("run-a", busy);
        assertTrue(busy.closed, "a model of the previous run given back late is closed, not kept");
        pool.giveBack("run-b", next);
        assertEquals(1, pool.idleCount());
        assertSame(next, pool.borrow("run-b", k -> add(built, k)));

        pool.giveBack("run-b", next);
        pool.closeIdle();
        assertTrue(next.closed);
        assertEquals(0, pool.idleCount());
    }

    private static Fake add(List<Fake> built, String key) {
        Fake f = new Fake(key);
        built.add(f);
        return f;
    }
}
