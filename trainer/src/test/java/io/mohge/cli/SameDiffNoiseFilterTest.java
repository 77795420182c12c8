package io.mohge.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SameDiffNoiseFilterTest {

    @Test
    void dropsOnlySameDiffOpLines() {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            SameDiffNoiseFilter.install();
            SameDiffNoiseFilter.install(); // idempotent: no double wrapping
            System.out.println("step 1 loss 3.2");
            System.out.println("Added differentiated op matmul_4");
            System.out.print("Added");
            System.out.println(" differentiated op reshape_1");
            System.out.print("progress 50%");
            System.out.flush();
            System.out.println();
            System.out.println("Added up: 3 ops");
        } finally {
            System.setOut(original);
        }
        assertEquals("step 1 loss 3.2\nprogress 50%\nAdded up: 3 ops\n", captured.toString(StandardCharsets.UTF_8));
    }
}
