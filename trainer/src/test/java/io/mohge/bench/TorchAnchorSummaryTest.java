package io.mohge.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON summary line of bench/torch_anchor.py, read as a record. */
class TorchAnchorSummaryTest {

    @Test
    void theLastLineIsTheSummary() {
        TorchAnchor.Result r = TorchAnchor.parse("warning: something\n{\"impl\": \"pytorch-eager\", \"blas\": "
                + "\"openblas\", \"tokens_per_s\": 1234.5, \"last_lm_loss\": 5.5}\n");
        assertEquals(new TorchAnchor.Result(1234.5, "openblas"), r);
    }

    @Test
    void aMissingOrMistypedKeyIsNamed() {
        var e = assertThrows(IllegalStateException.class, () -> TorchAnchor.parse("{\"blas\": \"mkl\"}"));
        assertTrue(e.getMessage().startsWith("torch anchor: its last output line is not the JSON summary "
                + "(tokens_per_s: missing)"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> TorchAnchor.parse("{\"blas\": \"mkl\", \"tokens_per_s\": \"fast\"}"));
        assertTrue(e.getMessage().contains("(tokens_per_s: expected a number, got \"fast\")"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> TorchAnchor.parse("Traceback (most recent call last)"));
        assertTrue(e.getMessage().contains("not valid JSON") || e.getMessage().contains("expected a JSON object"),
                e.getMessage());
    }
}
