package io.mohge.cluster;

import io.mohge.config.BadInputException;
import io.mohge.files.AtomicFiles;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What identifies a daemon this cluster started: its pid, the start time the kernel reports for that pid, and its
 * main class. A pid alone is not enough, the kernel reuses pids: a process only counts as ours when all three match,
 * so {@code down} never signals a process that merely inherited the number.
 *
 * @param pid        process id
 * @param startMillis process start time (epoch ms) as {@link ProcessHandle.Info#startInstant()} reports it
 * @param mainClass  the Java main class on its command line
 */
public record PidFile(long pid, long startMillis, String mainClass) {

    public PidFile {
        if (pid < 1) throw new IllegalArgumentException("pid: must be positive, got " + pid);
        if (mainClass == null || mainClass.isBlank()) throw new IllegalArgumentException("main class: empty");
    }

    /** The identity of a process that was just started. */
    public static PidFile of(ProcessHandle p, String mainClass) {
        long start = p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return new PidFile(p.pid(), start, mainClass);
    }

    /** The live process this file describes, or empty when it has exited (or the pid now belongs to another one). */
    public Optional<ProcessHandle> process() {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::matches);
    }

    boolean matches(ProcessHandle p) {
        ProcessHandle.Info info = p.info();
        long start = info.startInstant().map(Instant::toEpochMilli).orElse(-1L);
        if (startMillis != 0 && start != startMillis) return false;
        // the command line is visible for our own processes; without it the start time has to do
        return info.commandLine().map(c -> c.contains(mainClass)).orElse(true);
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("start_millis", Long.toString(startMillis));
        p.setProperty("main_class", mainClass);
        StringWriter out = new StringWriter();
        p.store(out, null);
        AtomicFiles.writeString(file, out.toString());
    }

    /** The pid file at {@code file}, or empty when there is none. */
    public static Optional<PidFile> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        try {
            return Optional.of(new PidFile(Long.parseLong(p.getProperty("pid", "").trim()),
                    Long.parseLong(p.getProperty("start_millis", "").trim()), p.getProperty("main_class", "")));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new BadInputException("pid file " + file + " is malformed (" + e.getMessage() + "); check that "
                    + "the process it named is gone, then delete the file");
        }
    }
}
