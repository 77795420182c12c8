package io.mohge.train;

import java.util.Map;

import static io.mohge.json.JsonRecords.required;

/** The JSON files of a checkpoint directory ({@link CheckpointStore}), as Gson records ({@link io.mohge.json.JsonRecords}). */
final class CheckpointJson {

    private CheckpointJson() { }

    /**
     * {@code state.json}.
     *
     * @param format       {@code mohge-checkpoint-1} (written; not checked on reading)
     * @param dataPosition the data module's opaque JSON string
     */
    record State(String format, Long step, Long rngSeed, Long rngState, String dataPosition) {
        State {
            required(step, "step");
            required(rngSeed, "rng_seed");
            required(rngState, "rng_state");
            required(dataPosition, "data_position");
        }
    }

    /** {@code manifest.json}: the byte size and CRC32 of every other file, by file name. */
    record Manifest(String format, Long step, Map<String, FileEntry> files) {
        Manifest {
            required(files, "files");
            files.forEach((name, entry) -> {
                required(entry, "files." + name);
                required(entry.bytes(), "files." + name + ".bytes");
                required(entry.crc32(), "files." + name + ".crc32");
            });
        }
    }

    /** One file of the manifest: size in bytes and CRC32 as 8 lower-case hex digits. */
    record FileEntry(Long bytes, String crc32) { }
}
