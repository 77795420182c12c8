package io.mohge.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Starts daemons as their own processes (own JVM, own session, so that they outlive the command that started them
 * and no terminal signal reaches them), and stops exactly the ones recorded in pid files.
 */
final class DaemonProcesses {

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private DaemonProcesses() { }

    /**
     * Starts {@code spec} with stdout and stderr appended to {@code log}, waits until the process runs the daemon's main
     * class, and records it in {@code pidFile}.
     */
    static PidFile start(DaemonSpec spec, Path log, Path pidFile) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(SETSID)) cmd.add(SETSID.toString()); // a new session; setsid execs, the pid stays
        cmd.addAll(spec.command());
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        pb.environment().putAll(spec.env());
        Files.writeString(log, "==== " + java.time.Instant.now() + " starting " + spec.name() + ": "
                + String.join(" ", cmd) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = pb.start();
        ProcessHandle h = p.toHandle();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (h.info().commandLine().map(c -> !c.contains(spec.mainClass())).orElse(true)) {
            if (!h.isAlive()) {
                throw new IOException(spec.name() + " exited at once (exit code " + p.exitValue() + "); see " + log);
            }
            if (System.nanoTime() > deadline) break; // command line not visible: the start time identifies it
            sleep(20);
        }
        PidFile pid = PidFile.of(h, spec.mainClass());
        pid.write(pidFile);
        return pid;
    }

    /**
     * Stops the processes of {@code pids} and the processes they started (a Spark worker's executors), all at once:
     * SIGTERM, then SIGKILL for whatever still runs after {@code grace}. Returns the ones that were running.
     */
    static List<PidFile> stop(List<PidFile> pids, Duration grace) {
        List<PidFile> running = new ArrayList<>();
        List<ProcessHandle> tree = new ArrayList<>();
        for (PidFile pid : pids) {
            Optional<ProcessHandle> p = pid.process();
            if (p.isEmpty()) continue;
            running.add(pid);
            tree.add(p.get());
            tree.addAll(p.get().descendants().collect(Collectors.toList()));
        }
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) sleep(100);
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) h.onExit().join();
        return running;
    }

    /** {@link #stop(List, Duration)} of one process; false when it was not running. */
    static boolean stop(PidFile pid, Duration grace) {
        return !stop(List.of(pid), grace).isEmpty();
    }

    /** SIGKILL to the process of {@code pid} only (kill -9: it gets no chance to clean up); false when not running. */
    static boolean kill9(PidFile pid) {
        Optional<ProcessHandle> p = pid.process();
        if (p.isEmpty()) return false;
        p.get().destroyForcibly();
        p.get().onExit().join();
        return true;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
