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

class PrepareCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void preparesATextFileAndReusesIt(@TempDir Path dir) throws IOException {
        Path corpus = dir.resolve("corpus.txt");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 400; i++) text.append("document number ").append(i).append(" says hello to the experts\n");
        Files.writeString(corpus, text);
        String[] args = {"prepare", "--config", "../configs/mohge-tiny.yaml",
                "--set", "data.corpus=" + corpus, "--set", "data.dir=" + dir.resolve("shards")};
        assertEquals(0, run(args), err.toString());
        assertTrue(out.toString().contains("unigram baseline:"), out.toString());
        assertTrue(Files.exists(dir.resolve("shards/manifest.json")));
        out.getBuffer().setLength(0);
        assertEquals(0, run(args), err.toString());
        assertTrue(out.toString().toLowerCase().contains("reus"), "second prepare reuses the dataset: " + out);
    }

    @Test
    void missingCorpusFileIsNamed(@TempDir Path dir) {
        int code = run("prepare", "--config", "../configs/mohge-tiny.yaml",
                "--set", "data.corpus=" + dir.resolve("missing.txt"), "--set", "data.dir=" + dir.resolve("shards"));
        assertEquals(Main.EXIT_BAD_INPUT, code);
        assertTrue(err.toString().contains("missing.txt"), err.toString());
        assertTrue(!err.toString().contains("\tat "), err.toString());
    }

    @Test
    void unknownBuiltInCorpusIsNamed(@TempDir Path dir) {
        int code = run("prepare", "--config", "../configs/mohge-tiny.yaml",
                "--set", "data.corpus=builtin:wiki", "--set", "data.dir=" + dir.resolve("shards"));
        assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
        assertTrue(err.toString().startsWith("error: corpus: unknown built-in corpus 'builtin:wiki'; the only one is "
                + "builtin:europarl"), err.toString());
        assertEquals(1, err.toString().split("\\R").length, err.toString());
    }
}
