package io.mohge.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PidFileTest {

    /** A word that is on this test JVM's command line (its java executable), standing in for a main class. */
    private static String ourMainClass() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    @Test
    void recognisesALiveProcessByPidStartTimeAndMainClass(@TempDir Path dir) throws IOException {
        PidFile me = PidFile.of(ProcessHandle.current(), ourMainClass());
        me.write(dir.resolve("x.pid"));
        PidFile back = PidFile.read(dir.resolve("x.pid")).orElseThrow();
        assertEquals(me, back);
        assertEquals(Optional.of(ProcessHandle.current().pid()), back.process().map(ProcessHandle::pid));
    }

    @Test
    void aReusedPidIsNotOurs() {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().orElseThrow().toEpochMilli();
        // same pid, but started at another time: the kernel gave the number to a new process
        assertTrue(new PidFile(self.pid(), start - 60_000, ourMainClass()).process().isEmpty());
        // same pid and start, but another program
        assertTrue(new PidFile(self.pid(), start, "org.example.NotThisProgram").process().isEmpty());
    }

    @Test
    void anExitedProcessIsNotRunning() throws Exception {
        Process p = new ProcessBuilder("true").start();
        PidFile f = PidFile.of(p.toHandle(), "true");
        p.waitFor();
        assertTrue(f.process().isEmpty());
        assertTrue(!DaemonProcesses.stop(f, java.time.Duration.ofSeconds(1)), "stop of an exited process reports false");
    }

    @Test
    void stopEndsTheProcessAndItsChildren() throws Exception {
        // a shell (the "daemon") that started a child (an "executor")
        Process p = new ProcessBuilder("bash", "-c", "sleep 600 & wait").start();
        ProcessHandle h = p.toHandle();
        long deadline = System.currentTimeMillis() + 5000;
        while (h.children().findAny().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
        ProcessHandle child = h.children().findFirst().orElseThrow();
        assertTrue(DaemonProcesses.stop(PidFile.of(h, "bash"), java.time.Duration.ofSeconds(5)));
        assertTrue(!h.isAlive() && !child.isAlive(), "both ended");
    }

    @Test
    void missingAndMalformedFiles(@TempDir Path dir) throws IOException {
        assertTrue(PidFile.read(dir.resolve("none.pid")).isEmpty());
        Files.writeString(dir.resolve("bad.pid"), "pid=abc\nstart_millis=1\nmain_class=x\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PidFile.read(dir.resolve("bad.pid")));
        assertTrue(e.getMessage().contains("bad.pid") && e.getMessage().contains("delete"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PidFile(0, 1, "x"));
    }
}
