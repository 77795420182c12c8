package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.tensors.FloatTensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointStoreTest {

    @TempDir
    Path root;

    static Checkpoint checkpoint(long step) {
        FloatTensor w = new FloatTensor(new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, step});
        FloatTensor g = new FloatTensor(new long[]{3}, new float[]{1f, Float.MIN_VALUE, -0.0f});
        FloatTensor m = new FloatTensor(new long[]{2, 3}, new float[]{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
        FloatTensor v = new FloatTensor(new long[]{2, 3}, new float[]{1e-9f, 2e-9f, 3e-9f, 4e-9f, 5e-9f, 6e-9f});
        FloatTensor mg = new FloatTensor(new long[]{3}, new float[]{7, 8, 9});
        AdamW.State opt = new AdamW.State(step, Map.of("layers.0.w", m, "norm.gain", mg),
                Map.of("layers.0.w", v, "norm.gain", mg));
        return new Checkpoint(step, Map.of("layers.0.w", w, "norm.gain", g), opt,
                Map.of("layers.0.router.bias", new FloatTensor(new long[]{4}, new float[]{0.01f, -0.02f, 0, 0.5f})),
                42L, step * 3, "{\"epoch\":1,\"offset\":" + step + "}", "run:\n  name: t\n", "{\"ranks\":2}");
    }

    @Test
    void roundTripsEveryField() throws IOException {
        CheckpointStore store = new CheckpointStore(root, 3);
        Path dir = store.save(checkpoint(123));
        assertEquals("step-000123", dir.getFileName().toString());
        Checkpoint c = CheckpointStore.load(dir);
        Checkpoint want = checkpoint(123);
        assertEquals(want.step(), c.step());
        assertEquals(want.params(), c.params()); // FloatTensor equality is bitwise
        assertEquals(want.optimizer(), c.optimizer());
        assertEquals(want.routerBiases(), c.routerBiases());
        assertEquals(42L, c.rngSeed());
        assertEquals(369L, c.rngState());
        assertEquals(want.dataPosition(), c.dataPosition());
        assertEquals(want.configYaml(), c.configYaml());
        assertEquals(want.placementJson(), c.placementJson());
    }

    @Test
    void keepsTheLastKAndFindsTheLatest() throws IOException {
        CheckpointStore store = new CheckpointStore(root, 2);
        assertTrue(store.latest().isEmpty());
        for (long s : new long[]{5, 10, 15, 1000}) store.save(checkpoint(s));
        List<Path> all = store.list();
        assertEquals(List.of("step-000015", "step-001000"), all.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(1000, CheckpointStore.stepOf(store.latest().orElseThrow()));
        store.save(checkpoint(1000)); // saving the same step again replaces it
        assertEquals(2, store.list().size());
        try (Stream<Path> s = Files.list(root)) {
            assertEquals(2, s.count(), "no temporary directories left behind");
        }
    }

    @Test
    void anInterruptedSaveIsIgnoredAndCleanedUp() throws IOException {
        CheckpointStore store = new CheckpointStore(root, 3);
        store.save(checkpoint(10));
        Path half = Files.createDirectories(root.resolve(".tmp-step-20-123"));
        Files.writeString(half.resolve("params.safetensors"), "partial");
        Path noManifest = Files.createDirectories(root.resolve("step-000030"));
        Files.writeString(noManifest.resolve("state.json"), "{}");
        assertEquals(10, CheckpointStore.stepOf(store.latest().orElseThrow()));
        store.save(checkpoint(40));
        assertFalse(Files.exists(half));
        var e = assertThrows(BadInputException.class, () -> CheckpointStore.load(noManifest));
        assertTrue(e.getMessage().contains(noManifest.resolve("manifest.json").toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsRejectedNamingIt() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(checkpoint(7));
        Path params = dir.resolve("params.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(params.toFile(), "rw")) {
            f.setLength(f.length() - 5);
        }
        var e = assertThrows(BadInputException.class, () -> CheckpointStore.load(dir));
        assertTrue(e.getMessage().contains(params.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void flippedByteIsRejectedNamingTheFile() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(checkpoint(7));
        Path opt = dir.resolve("optimizer.safetensors");
        byte[] b = Files.readAllBytes(opt);
        b[b.length - 2] ^= 0x10;
        Files.write(opt, b);
        var e = assertThrows(BadInputException.class, () -> CheckpointStore.load(dir));
        assertTrue(e.getMessage().contains(opt.toString()) && e.getMessage().contains("CRC32"), e.getMessage());
    }

    @Test
    void stateStepMustMatchTheDirectory() throws IOException {
        Path dir = new CheckpointStore(root, 3).save(checkpoint(7));
        Path moved = root.resolve("step-000008");
        Files.move(dir, moved);
        var e = assertThrows(BadInputException.class, () -> CheckpointStore.load(moved));
        assertTrue(e.getMessage().contains("state.json"), e.getMessage());
    }

    @Test
    void filesAndDirectoryGetTheUmaskPermissions() throws IOException {
        Assumptions.assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path dir = new CheckpointStore(root.resolve("ckpt"), 2).save(checkpoint(7));
        Path plainFile = Files.writeString(root.resolve("plain.txt"), "x"); // what the umask gives a new file
        Path plainDir = Files.createDirectory(root.resolve("plain-dir"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plainFile)),
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }
        assertEquals(Files.getPosixFilePermissions(plainDir), Files.getPosixFilePermissions(dir));
    }

    @Test
    void aFullDiskNamesTheCheckpointDirectoryAndKeepsTheEarlierCheckpoint() throws Exception {
        Path small = Files.createDirectory(root.resolve("small-fs"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        Assumptions.assumeTrue(mount.waitFor() == 0, "needs root to mount a 64 KB tmpfs: "
                + new String(mount.getInputStream().readAllBytes()));
        try {
            Path ckpts = small.resolve("run").resolve("checkpoints");
            CheckpointStore store = new CheckpointStore(ckpts, 3);
            Path first = store.save(checkpoint(1));
            float[] big = new float[64 * 1024]; // 256 KB of parameters cannot fit
            Checkpoint c = checkpoint(2);
            Checkpoint large = new Checkpoint(2, Map.of("layers.0.w", new FloatTensor(new long[]{big.length}, big)),
                    c.optimizer(), c.routerBiases(), 42, 6, c.dataPosition(), c.configYaml(), c.placementJson());
            IOException e = assertThrows(IOException.class, () -> store.save(large));
            assertTrue(e.getMessage().startsWith("checkpoint step 2 could not be written to " + ckpts), e.getMessage());
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            assertEquals(List.of(first), store.list());
            CheckpointStore.verify(first);
            try (Stream<Path> left = Files.list(ckpts)) {
                assertEquals(List.of(first), left.toList(), "the unfinished checkpoint is removed");
            }
        } finally {
            new ProcessBuilder("umount", small.toString()).inheritIO().start().waitFor();
        }
    }
}
