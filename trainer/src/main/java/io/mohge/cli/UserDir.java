package io.mohge.cli;

import picocli.CommandLine.ITypeConverter;

import java.nio.file.Path;

/**
 * The directory the user ran the command from. The {@code mohge} launcher changes into the repository root before
 * starting Java (so that the default config and the shipped relative paths work) and passes the user's directory
 * in the environment variable {@value #ENV}; the system property {@value #PROPERTY} wins over it. Without either,
 * the process's working directory is the user's.
 *
 * <p>Paths typed on the command line ({@code --config}, {@code --override}, {@code --checkpoint}, {@code --load},
 * {@code --save}, {@code --out}, the ablation set) resolve against it through {@link Converter}. Paths inside
 * configs ({@code run.out_dir}, {@code data.dir}, ...) keep resolving against the working directory.
 */
final class UserDir {

    static final String PROPERTY = "mohge.userDir";
    static final String ENV = "MOHGE_USER_DIR";

    private UserDir() { }

    /** {@code given} as typed, made absolute against the user's directory when it is relative. */
    static Path resolve(String given) {
        Path p = Path.of(given);
        if (p.isAbsolute()) return p;
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) dir = System.getenv(ENV);
        return dir == null || dir.isBlank() ? p : Path.of(dir).resolve(p).normalize();
    }

    /** picocli converter of path options and parameters. */
    static final class Converter implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            return resolve(value);
        }
    }
}
