package io.mohge.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local cluster's bin/spark-submit runs the command Spark's launcher library builds (Spark jars of the build). */
class SparkSubmitScriptTest {

    private static String run(Path submit, String... args) throws IOException, InterruptedException {
        var cmd = new java.util.ArrayList<String>();
        cmd.add(submit.toString());
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "spark-submit finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void submitsThroughSparksLauncher(@TempDir Path dir) throws Exception {
        ClusterLayout l = new ClusterLayout(dir, Path.of("..").toAbsolutePath());
        l.requireJars();
        ClusterFiles.writeAll(l, ClusterPorts.allocate(2, 2));
        String version = run(l.sparkSubmit(), "--version");
        assertTrue(version.contains("version 3.5.9"), version);
        // the launcher adds the JDK 17 module flags to the driver JVM, and --driver-java-options reaches it too
        ProcessBuilder pb = new ProcessBuilder(l.sparkSubmit().toString(), "--driver-java-options", "-Dmohge.probe=42",
                "--version");
        pb.environment().put("SPARK_PRINT_LAUNCH_COMMAND", "1");
        Process p = pb.redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(printed.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED") && printed.contains("-Dmohge.probe=42")
                && printed.contains("org.apache.spark.deploy.SparkSubmit"), printed);
    }
}
