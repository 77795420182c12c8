package io.mohge.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocateCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void referenceConfigBalancesEveryRankUnderSkew(@TempDir Path dir) throws IOException {
        Path placement = dir.resolve("placement.json");
        int code = run("allocate", "--config", "../configs/reference-a3b.yaml", "--ranks", "4",
                "--group-shares", "0.3,0.2,0.15,0.1,0.1,0.07,0.05,0.03", "--save", placement.toString());
        assertEquals(0, code, err.toString());
        String table = out.toString();
        assertTrue(table.contains("all-size-decoupled            1.0000           1.0000"), table);
        assertTrue(table.contains("contiguous                    1.3439           1.4615"), table);
        assertTrue(table.contains("13,312"), table);
        assertTrue(Files.readString(placement).contains("\"strategy\": \"all-size-decoupled\""), Files.readString(placement));
    }

    @Test
    void loadFromARunsStatsFile(@TempDir Path dir) throws IOException {
        Path stats = dir.resolve("load-stats.json");
        Files.writeString(stats, "{\"tokens_per_expert\": [[10, 10, 20, 20, 30, 30, 40, 40]]}");
        int code = run("allocate", "--config", "../configs/mohge-tiny.yaml", "--ranks", "2", "--load", stats.toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("Routed experts: 4 groups x 2 experts = 8"), out.toString());
    }

    @Test
    void badRanksAndMissingLoadFileAreReportedWithoutStackTrace() {
        assertEquals(Main.EXIT_BAD_INPUT, run("allocate", "--config", "../configs/mohge-tiny.yaml", "--ranks", "3"));
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertTrue(err.toString().contains("1, 2, 4, 8"), err.toString());
        assertTrue(!err.toString().contains("\tat "), err.toString());

        StringWriter err2 = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true),
                "allocate", "--config", "../configs/mohge-tiny.yaml", "--load", "no-such-stats.json");
        assertEquals(Main.EXIT_BAD_INPUT, code);
        assertTrue(err2.toString().contains("no-such-stats.json"), err2.toString());
    }

    @Test
    void denseModelHasNothingToPlace() {
        assertEquals(Main.EXIT_BAD_INPUT, run("allocate", "--config", "../configs/mohge-tiny.yaml",
                "--override", "../configs/ffn/dense.yaml"));
        assertTrue(err.toString().contains("model.ffn = dense has no routed experts"), err.toString());
    }
}
