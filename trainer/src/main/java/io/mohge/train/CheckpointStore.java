package io.mohge.train;

import io.mohge.config.BadInputException;
import io.mohge.files.AtomicFiles;
import io.mohge.json.JsonRecords;
import io.mohge.tensors.FloatTensor;
import io.mohge.tensors.SafetensorsReader;
import io.mohge.tensors.SafetensorsWriter;
import io.mohge.tensors.DType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Checkpoints as one directory per step under a root, {@code step-000123/}, holding
 * <pre>
 *   params.safetensors        trainable parameters, F32, SameDiff names
 *   optimizer.safetensors     AdamW moments as "m/NAME" and "v/NAME"; metadata "step"
 *   router_biases.safetensors router balancing biases (may hold no tensors)
 *   state.json                step, rng_seed, rng_state, data_position (the data module's opaque JSON string)
 *   config.yaml               resolved run config
 *   placement.json            expert placement
 *   manifest.json             byte size and CRC32 of every file above; written last
 * </pre>
 * A checkpoint is written into a hidden temporary directory and renamed into place in one atomic move, so a
 * crash leaves either the complete directory or none. Only the newest {@code keep} checkpoints are kept.
 * Loading verifies every file against the manifest and rejects a truncated or corrupt checkpoint with a
 * message naming the file.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final String TMP_PREFIX = ".tmp-step-";
    private static final String FORMAT = "mohge-checkpoint-1";
    static final String PARAMS = "params.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String ROUTER = "router_biases.safetensors";
    static final String STATE = "state.json";
    public static final String CONFIG = "config.yaml";
    static final String PLACEMENT = "placement.json";
    static final String MANIFEST = "manifest.json";
    private static final List<String> FILES = List.of(PARAMS, OPTIMIZER, ROUTER, STATE, CONFIG, PLACEMENT);

    private final Path root;
    private final int keep;

    public CheckpointStore(Path root, int keep) {
        if (keep < 1) throw new IllegalArgumentException("keep_checkpoints: must be 1 or more, got " + keep);
        this.root = root;
        this.keep = keep;
    }

    public Path root() {
        return root;
    }

    /** Directory name of a step: {@code step-000123}. */
    public static String dirName(long step) {
        return String.format("step-%06d", step);
    }

    /**
     * Writes {@code c} atomically, then deletes all but the newest {@code keep} checkpoints. Files and directory get
     * the permissions of the process umask, like every other file of a run. A failed write (e.g. a full disk) is an
     * IOException naming the checkpoint directory; the earlier checkpoints stay as they were.
     */
    public Path save(Checkpoint c) throws IOException {
        Path target = root.resolve(dirName(c.step()));
        Path tmp = null;
        try {
            Files.createDirectories(root);
            tmp = newTempDir(TMP_PREFIX + c.step() + "-");
            writeContents(tmp, c);
            if (Files.exists(target)) { // the same step again (e.g. after a resume): replace it
                Path old = newTempDir(TMP_PREFIX + "old-");
                Files.move(target, old.resolve("x"), StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            } else {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            }
            AtomicFiles.forceDirectory(root);
        } catch (IOException | UncheckedIOException e) {
            String reason = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
            throw new IOException("checkpoint step " + c.step() + " could not be written to " + root + " (" + reason
                    + "); free space or fix permissions there, or set run.out_dir elsewhere, then resume with "
                    + "mohge train --resume (earlier checkpoints are kept)", e);
        } finally {
            if (tmp != null && Files.exists(tmp)) deleteQuietly(tmp);
        }
        prune();
        LOG.info("checkpoint step {} saved to {}", c.step(), target);
        return target;
    }

    /** A new hidden directory under the root, created with the umask's permissions (createTempDirectory gives 0700). */
    private Path newTempDir(String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path dir = root.resolve(prefix + Long.toHexString(System.nanoTime()));
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
    }

    /** Complete checkpoint directories (with a manifest), oldest first. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> STEP_DIR.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
                    .forEach(out::add);
        }
        out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
        return out;
    }

    /** The newest complete checkpoint directory, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Step number of a {@code step-NNNNNN} directory. */
    public static long stepOf(Path dir) {
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        if (!m.matches()) throw new BadInputException("checkpoint directory " + dir + " is not named step-NNNNNN; "
                + "give a checkpoint directory such as runs/mohge-tiny/checkpoints/step-000400");
        return Long.parseLong(m.group(1));
    }

    private void prune() throws IOException {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
            LOG.debug("deleted old checkpoint {}", all.get(i));
        }
        try (Stream<Path> s = Files.list(root)) { // leftovers of crashed saves
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TMP_PREFIX)) deleteTree(p);
            }
        }
    }

    // ------------------------------------------------------------------ writing

    private static void writeContents(Path dir, Checkpoint c) throws IOException {
        SafetensorsWriter.write(dir.resolve(PARAMS), c.params(), DType.F32, Map.of("format", FORMAT));
        Map<String, FloatTensor> moments = new TreeMap<>();
        c.optimizer().m().forEach((k, t) -> moments.put("m/" + k, t));
        c.optimizer().v().forEach((k, t) -> moments.put("v/" + k, t));
        SafetensorsWriter.write(dir.resolve(OPTIMIZER), moments, DType.F32,
                Map.of("step", Long.toString(c.optimizer().step())));
        SafetensorsWriter.write(dir.resolve(ROUTER), c.routerBiases(), DType.F32, Map.of("format", FORMAT));
        writeDurably(dir.resolve(STATE), JsonRecords.write(new CheckpointJson.State(FORMAT, c.step(), c.rngSeed(),
                c.rngState(), c.dataPosition())));
        writeDurably(dir.resolve(CONFIG), c.configYaml());
        writeDurably(dir.resolve(PLACEMENT), c.placementJson());
        Map<String, CheckpointJson.FileEntry> files = new LinkedHashMap<>();
        for (String f : FILES) {
            files.put(f, new CheckpointJson.FileEntry(Files.size(dir.resolve(f)), crc32(dir.resolve(f))));
        }
        writeDurably(dir.resolve(MANIFEST), JsonRecords.write(new CheckpointJson.Manifest(FORMAT, c.step(), files)));
        matchUmask(dir);
    }

    /**
     * The safetensors writer publishes through a temporary file (mode 0600); give every file of {@code dir} the
     * permissions the umask gave the manifest, which was created directly.
     */
    private static void matchUmask(Path dir) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) return;
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir.resolve(MANIFEST));
        for (String f : FILES) Files.setPosixFilePermissions(dir.resolve(f), perms);
    }

    /** Writes text and forces it to disk, so that the rename never publishes data still in the page cache. */
    private static void writeDurably(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads and verifies a checkpoint directory. */
    public static Checkpoint load(Path dir) throws IOException {
        verify(dir);
        Map<String, FloatTensor> params = SafetensorsReader.read(dir.resolve(PARAMS)).tensors();
        SafetensorsReader.Contents opt = SafetensorsReader.read(dir.resolve(OPTIMIZER));
        Map<String, FloatTensor> m = new TreeMap<>();
        Map<String, FloatTensor> v = new TreeMap<>();
        opt.tensors().forEach((k, t) -> {
            if (k.startsWith("m/")) m.put(k.substring(2), t);
            else if (k.startsWith("v/")) v.put(k.substring(2), t);
            else throw corrupt(dir.resolve(OPTIMIZER), "unexpected tensor " + k + " (expected m/NAME or v/NAME)");
        });
        long optStep = parseLong(dir.resolve(OPTIMIZER), opt.metadata().get("step"), "metadata step");
        Map<String, FloatTensor> router = SafetensorsReader.read(dir.resolve(ROUTER)).tensors();
        Path statePath = dir.resolve(STATE);
        CheckpointJson.State state = json(statePath, CheckpointJson.State.class);
        if (state.step() != stepOf(dir)) {
            throw corrupt(statePath, "step " + state.step() + " does not match the directory name " + dir.getFileName());
        }
        return new Checkpoint(state.step(), params, new AdamW.State(optStep, m, v), router, state.rngSeed(),
                state.rngState(), state.dataPosition(), Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8),
                Files.readString(dir.resolve(PLACEMENT), StandardCharsets.UTF_8));
    }

    /** Checks that every file is present and matches the size and CRC32 recorded in the manifest. */
    public static void verify(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("checkpoint " + dir + " does not exist or is not a directory");
        }
        Path manifestPath = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestPath)) {
            throw corrupt(manifestPath, "missing: the checkpoint is incomplete (its save was interrupted)");
        }
        Map<String, CheckpointJson.FileEntry> files = json(manifestPath, CheckpointJson.Manifest.class).files();
        for (String f : FILES) {
            Path p = dir.resolve(f);
            CheckpointJson.FileEntry e = files.get(f);
            if (e == null) throw corrupt(manifestPath, "files: does not list " + f);
            if (!Files.isRegularFile(p)) throw corrupt(p, "missing");
            long size = Files.size(p);
            if (size != e.bytes()) {
                throw corrupt(p, "has " + size + " bytes but the manifest records " + e.bytes() + " (truncated?)");
            }
            String crc = crc32(p);
            if (!crc.equals(e.crc32())) {
                throw corrupt(p, "CRC32 " + crc + " differs from the manifest's " + e.crc32() + " (file damaged)");
            }
        }
    }

    private static <T> T json(Path p, Class<T> type) throws IOException {
        try {
            return JsonRecords.read(Files.readString(p, StandardCharsets.UTF_8), type);
        } catch (IllegalArgumentException e) {
            throw corrupt(p, e.getMessage());
        }
    }

    private static long parseLong(Path file, String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw corrupt(file, what + " '" + s + "' is not a number");
        }
    }

    static String crc32(Path p) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return String.format("%08x", crc.getValue());
    }

    private static BadInputException corrupt(Path file, String what) {
        return new BadInputException("corrupt checkpoint file " + file + ": " + what
                + "; resume from an older checkpoint (delete this step directory) or start afresh");
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove the unfinished checkpoint {}: {}", p, e.toString());
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(q -> {
                try {
                    Files.delete(q);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
