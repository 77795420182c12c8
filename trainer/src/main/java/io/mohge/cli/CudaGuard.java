package io.mohge.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Refuses GPUs the last ND4J CUDA build cannot run on, before ND4J loads its native library.
 *
 * <p>nd4j-cuda-11.6 1.0.0-M2.1 carries machine code for sm_37..sm_86 and no PTX: it runs on Kepler to Ampere
 * and Ada (sm_89 runs sm_86 code) but not on Hopper (compute capability 9.0) or newer (docs/engine.md). Only active
 * when the CUDA backend is on the class path ({@code mvn -Pcuda package}).
 */
final class CudaGuard {

    private static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private CudaGuard() { }

    /** @return a message refusing this machine's GPU, or empty when the GPUs (or the CPU backend) can run */
    static java.util.Optional<String> checkBeforeNd4j() {
        if (!cudaBackendPresent()) return java.util.Optional.empty();
        return java.util.Optional.ofNullable(refusal(queryComputeCapabilities()));
    }

    private static boolean cudaBackendPresent() {
        try {
            Class.forName(CUDA_BACKEND_CLASS, false, CudaGuard.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * @param lines output of {@code nvidia-smi --query-gpu=index,name,compute_cap --format=csv,noheader}
     * @return a message refusing the first unsupported GPU, or null when all are supported
     */
    static String refusal(List<String> lines) {
        for (String line : lines) {
            String[] parts = line.split(",");
            if (parts.length < 3) continue;
            double cc;
            try {
                cc = Double.parseDouble(parts[parts.length - 1].trim());
            } catch (NumberFormatException e) {
                continue;
            }
            if (cc >= 9.0) {
                return "GPU " + parts[0].trim() + " (" + parts[1].trim() + ") has compute capability " + cc
                        + ", but nd4j-cuda-11.6 1.0.0-M2.1 (the last ND4J CUDA release) only has code for "
                        + "compute capability up to 8.9 (Kepler to Ada). Use a GPU of capability < 9.0 "
                        + "(e.g. A100, RTX 30xx/40xx, L4), hide this one with CUDA_VISIBLE_DEVICES, or build the "
                        + "CPU version (mvn package without -Pcuda).";
            }
        }
        return null;
    }

    private static List<String> queryComputeCapabilities() {
        List<String> lines = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap",
                    "--format=csv,noheader").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) lines.add(line);
            }
            p.waitFor(20, TimeUnit.SECONDS);
        } catch (IOException e) {
            return List.of(); // no nvidia-smi: ND4J will report a missing driver itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lines;
    }
}
