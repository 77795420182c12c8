package io.mohge.export;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds a Python interpreter that imports torch and runs the shipped modeling_mohge.py with it. Candidates, in
 * order: {@code $MOHGE_TORCH_PYTHON}, {@code /usr/bin/python3} (Debian's python3-torch), {@code python3} on the
 * PATH. Without one, tests are skipped with a message; on CI ({@code CI=true}) they fail instead, because
 * {@code .ci/run} installs python3-torch.
 */
final class TorchPython {

    private static Path found;
    private static String tried;

    private TorchPython() { }

    /** The interpreter, or aborts (skips) the calling test; fails on CI. */
    static synchronized Path require() {
        if (found == null && tried == null) search();
        if (found == null) {
            String message = "no Python interpreter with torch found (tried " + tried + "); install Debian's "
                    + "python3-torch (apt-get install python3-torch python3-numpy) or set MOHGE_TORCH_PYTHON";
            if ("true".equals(System.getenv("CI"))) Assertions.fail(message + " (.ci/run should have installed it)");
            Assumptions.abort(message);
        }
        return found;
    }

    private static void search() {
        Set<String> candidates = new LinkedHashSet<>();
        String env = System.getenv("MOHGE_TORCH_PYTHON");
        if (env != null && !env.isBlank()) candidates.add(env);
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        List<String> attempts = new ArrayList<>();
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    found = Path.of(candidate);
                    return;
                }
                attempts.add(candidate + " (no torch)");
            } catch (IOException e) {
                attempts.add(candidate + " (not found)");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                attempts.add(candidate + " (interrupted)");
            }
        }
        tried = String.join(", ", attempts);
    }

    /** Runs {@code script args...} single-threaded; returns stdout, fails the test with stderr on a non-zero exit. */
    static String run(Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(require().toString(), script.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("mohge-python-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
            pb.environment().put("OMP_NUM_THREADS", "1");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                Assertions.fail("python timed out: " + command);
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Assertions.assertEquals(0, p.exitValue(), () -> "python failed: " + command + "\n" + stderr);
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
