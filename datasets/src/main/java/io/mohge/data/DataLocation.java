package io.mohge.data;

import java.io.File;
import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A file or directory resolved to its Hadoop {@link FileSystem}.
 *
 * <p>Resolution rule: a string with a scheme ({@code hdfs://nn:8020/x}, {@code file:///x}) goes through
 * {@link Path#getFileSystem}; a plain path ({@code data/x}) always means the local file system, whatever
 * {@code fs.defaultFS} says, and is made absolute against the working directory. On the local file system the
 * raw file system is used (no {@code .crc} side files): shard payloads carry their own CRC32C.
 *
 * @param fs   the file system holding {@code path}; a cached instance shared with other users, never close it
 * @param path fully qualified path
 */
public record DataLocation(FileSystem fs, Path path) {

    /** Resolves a URI or plain local path (see the class comment). */
    public static DataLocation resolve(String uriOrPath, Configuration hconf) throws IOException {
        Path given = new Path(uriOrPath);
        String scheme = given.toUri().getScheme();
        if (scheme == null || scheme.equals("file")) {
            LocalFileSystem local = FileSystem.getLocal(hconf);
            FileSystem raw = local.getRaw();
            Path abs = scheme == null ? new Path(new File(uriOrPath).getAbsoluteFile().toURI()) : given;
            return new DataLocation(raw, raw.makeQualified(abs));
        }
        FileSystem fs = given.getFileSystem(hconf);
        return new DataLocation(fs, fs.makeQualified(given));
    }

    /** The location of {@code name} inside this directory. */
    public DataLocation child(String name) {
        return new DataLocation(fs, new Path(path, name));
    }

    /**
     * Writes {@code bytes} to a temporary sibling ({@code .name.tmp}), then renames it to this path, so readers never
     * see a partial file. An existing target is deleted just before the rename (FileSystem.rename does not
     * replace files on HDFS); {@link DatasetSwap} deletes the manifest before touching shards, so that short window
     * never exposes a mixed dataset.
     */
    public void writeAtomically(byte[] bytes) throws IOException {
        Path tmp = new Path(path.getParent(), "." + path.getName() + ".tmp");
        try (var out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        if (fs.exists(path) && !fs.delete(path, false)) {
            throw new IOException(path + ": cannot delete the previous version; check permissions on the directory");
        }
        if (!fs.rename(tmp, path)) {
            throw new IOException(path + ": rename from " + tmp + " failed; check permissions and free space");
        }
    }

    @Override
    public String toString() { return path.toString(); }
}
