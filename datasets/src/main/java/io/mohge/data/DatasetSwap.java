package io.mohge.data;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import org.apache.hadoop.fs.FileStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a dataset only once its replacement is complete. {@link Prepare} builds the new shards, tokenizer file and
 * manifest in the hidden sub-directory {@value #STAGING} of {@code data.dir}; {@link #install} then moves them into
 * place, the manifest last. Until the move starts the old dataset is untouched, so a prepare that fails (corpus gone,
 * disk full, interrupted) loses nothing.
 *
 * <p>The move is not atomic over several files, but it is restartable: once the old manifest is gone the staged
 * manifest is the record of the new dataset, and {@link #finishInterrupted} completes an install that a crash cut
 * short, from the staged files alone.
 */
final class DatasetSwap {

    static final String STAGING = ".prepare-staging";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetSwap.class);

    private DatasetSwap() {}

    /** An empty staging directory inside {@code dir} (an earlier, unfinished build in it is discarded). */
    static DataLocation stage(DataLocation dir) throws IOException {
        DataLocation staging = dir.child(STAGING);
        discard(staging);
        if (!staging.fs().mkdirs(staging.path())) throw new IOException(staging + ": cannot create the staging directory");
        return staging;
    }

    /** Removes a staging directory, e.g. after a failed build. */
    static void discard(DataLocation staging) throws IOException {
        if (staging.fs().exists(staging.path())) staging.fs().delete(staging.path(), true);
    }

    /**
     * When {@code dir} has no manifest but a complete staged dataset (a crash during {@link #install}), finishes the
     * install and returns true. A staging directory left next to a committed dataset is discarded.
     */
    static boolean finishInterrupted(DataLocation dir) throws IOException {
        DataLocation staging = dir.child(STAGING);
        if (!staging.fs().exists(staging.path())) return false;
        DataLocation staged = staging.child(Manifest.FILE_NAME);
        if (dir.fs().exists(dir.child(Manifest.FILE_NAME).path()) || !staging.fs().exists(staged.path())) {
            discard(staging);
            return false;
        }
        LOG.warn("{}: completing the dataset replacement that an earlier prepare left unfinished", dir);
        install(staging, dir, Manifest.read(staged));
        return true;
    }

    /** Moves the staged dataset {@code m} into {@code dir}, replacing our own files there; the manifest goes last. */
    static void install(DataLocation staging, DataLocation dir, Manifest m) throws IOException {
        delete(dir.child(Manifest.FILE_NAME));              // from here on the staged manifest is the dataset's record
        Set<String> files = new HashSet<>();
        for (Split s : Split.values()) for (ShardInfo i : m.shards(s)) files.add(i.file());
        if (m.tokenizerFile() != null) files.add(m.tokenizerFile());
        for (String f : files) {
            DataLocation from = staging.child(f);
            if (!staging.fs().exists(from.path())) continue; // moved before an interruption
            delete(dir.child(f));
            rename(from, dir.child(f));
        }
        for (FileStatus st : dir.fs().listStatus(dir.path())) { // shards of the old dataset beyond the new count
            String name = st.getPath().getName();
            if (st.isFile() && isOwnFile(name) && !files.contains(name)) dir.fs().delete(st.getPath(), false);
        }
        rename(staging.child(Manifest.FILE_NAME), dir.child(Manifest.FILE_NAME));
        discard(staging);
    }

    /** Shards, the BPE file, and temporary files of either. */
    static boolean isOwnFile(String name) {
        return name.matches("\\.?(train|val)-\\d{5}\\.bin(\\.tmp)?") || name.matches("\\.?tokenizer-bpe\\.json(\\.tmp)?")
                || name.equals("." + Manifest.FILE_NAME + ".tmp");
    }

    private static void delete(DataLocation f) throws IOException {
        if (f.fs().exists(f.path()) && !f.fs().delete(f.path(), false)) {
            throw new IOException(f + ": cannot delete it to make room for the new dataset; check permissions");
        }
    }

    private static void rename(DataLocation from, DataLocation to) throws IOException {
        if (!from.fs().rename(from.path(), to.path())) {
            throw new IOException(to + ": moving the new file from " + from + " failed; check permissions and free "
                    + "space, then run `mohge prepare` again to finish");
        }
    }
}
