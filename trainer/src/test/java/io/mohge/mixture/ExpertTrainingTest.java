package io.mohge.mixture;

import io.mohge.config.RunConfig;
import io.mohge.train.Checkpoint;
import io.mohge.train.CheckpointStore;
import io.mohge.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Experts of the tiny mixture, routed once and then trained from copies of the routed run: independent of each
 * other's data, exactly resumable (the Spark module's SparkExpertsTest: the same as Spark tasks).
 */
class ExpertTrainingTest {

    @TempDir
    static Path dir;

    static Path corpus;
    static RunConfig reference;

    @BeforeAll
    static void routeOnceAndTrainTheReference() throws IOException {
        corpus = TinyMixture.writeCorpus(dir.resolve("corpus.txt"));
        RunConfig routed = config("routed");
        RouterEm.run(routed, new RouterEm.Options(false, false, 0));
        for (String copy : List.of("reference", "deleted", "resumed")) {
            TinyMixture.copyTree(dir.resolve("routed"), dir.resolve(copy));
        }
        reference = config("reference");
        List<ExpertTraining.Outcome> out = ExpertTraining.runLocal(reference, new ExpertTraining.Options(false, false, 0, List.of()));
        assertEquals(List.of("COMPLETED", "COMPLETED"), out.stream().map(ExpertTraining.Outcome::stop).toList());
    }

    private static RunConfig config(String name) throws IOException {
        return TinyMixture.config(corpus, dir.resolve("source-data"), dir.resolve(name));
    }

    private static Checkpoint expert(RunConfig cfg, int r) throws IOException {
        return CheckpointStore.load(Trainer.latestCheckpoint(Members.expert(cfg, MixtureLayout.of(cfg), r)).orElseThrow());
    }

    @Test
    void deletingOneExpertsShardsChangesNoOtherExpert() throws IOException {
        RunConfig cfg = config("deleted");
        Path shards = Path.of(MixtureLayout.of(cfg).expertData(1));
        try (Stream<Path> files = Files.list(shards)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".bin")).toList()) Files.delete(f);
        }
        List<ExpertTraining.Outcome> out = ExpertTraining.runLocal(cfg, new ExpertTraining.Options(false, false, 0, List.of(0)));
        assertEquals(1, out.size());
        Checkpoint mine = expert(cfg, 0);
        Checkpoint theirs = expert(reference, 0);
        assertEquals(10, mine.step());
        assertEquals(theirs.params(), mine.params(), "expert 0 is bit for bit the expert trained next to an intact expert 1");
        assertEquals(theirs.optimizer(), mine.optimizer());
        assertNotEquals(expert(reference, 1).params(), mine.params(), "experts differ from each other");

        IOException e = assertThrows(IOException.class, () -> ExpertTraining.runLocal(cfg,
                new ExpertTraining.Options(false, false, 0, List.of(1))));
        assertTrue(e.getMessage().contains("expert-1") && e.getMessage().contains("train-00000.bin"), e.getMessage());
    }

    @Test
    void aPausedExpertResumesExactlyAndIsNotRestartedByAccident() throws IOException {
        RunConfig cfg = config("resumed");
        List<ExpertTraining.Outcome> paused = ExpertTraining.runLocal(cfg, new ExpertTraining.Options(false, false, 5, List.of()));
        assertEquals(List.of("PAUSED", "PAUSED"), paused.stream().map(ExpertTraining.Outcome::stop).toList());
        var refused = assertThrows(IllegalArgumentException.class, () -> ExpertTraining.runLocal(cfg,
                new ExpertTraining.Options(false, false, 0, List.of())));
        assertTrue(refused.getMessage().startsWith("run.out_dir: expert 0") && refused.getMessage().contains("--resume"),
                refused.getMessage());
        ExpertTraining.runLocal(cfg, new ExpertTraining.Options(true, false, 0, List.of(1)));      // one by one
        ExpertTraining.runLocal(cfg, new ExpertTraining.Options(true, false, 0, List.of(0)));
        for (int r = 0; r < 2; r++) {
            assertEquals(expert(reference, r).params(), expert(cfg, r).params(), "expert " + r);
            assertEquals(expert(reference, r).optimizer(), expert(cfg, r).optimizer(), "expert " + r);
        }
        List<ExpertTraining.Outcome> again = ExpertTraining.runLocal(cfg, new ExpertTraining.Options(true, false, 0, List.of()));
        assertEquals(List.of("SKIPPED", "SKIPPED"), again.stream().map(ExpertTraining.Outcome::stop).toList());
    }

    @Test
    void expertsNeedAFinishedRouting() throws IOException {
        RunConfig cfg = config("unrouted");
        var e = assertThrows(IllegalArgumentException.class, () -> ExpertTraining.runLocal(cfg,
                new ExpertTraining.Options(false, false, 0, List.of())));
        assertTrue(e.getMessage().contains("train-routers"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> ExpertTraining.runLocal(reference,
                new ExpertTraining.Options(true, false, 0, List.of(2))));
        assertTrue(bad.getMessage().startsWith("--experts: 2"), bad.getMessage());
    }
}
