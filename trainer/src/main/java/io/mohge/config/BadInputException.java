package io.mohge.config;

/**
 * Input from the user is rejected: a command-line option or argument, or a file or directory the user names or
 * that a run the user points at should hold (a checkpoint, an export, a data directory, an ablation set, a
 * placement, calibration or mixture file, the built cluster jars...). The message names the option, file or key
 * and says how to fix it; {@code mohge} prints it as one line and exits with {@code Main.EXIT_BAD_INPUT}, without
 * a stack trace.
 *
 * <p>A plain {@link IllegalArgumentException} means something else: a violated precondition inside the program (a
 * shape that does not match, an argument no caller should pass), which is a bug and is reported as an internal
 * error with its stack trace. Extending {@code IllegalArgumentException} keeps callers and tests that expect one
 * working.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The value of {@code check}, with an IllegalArgumentException it throws reported as bad input: for user input
     * that a lower module (model, allocation, datasets) checks. Those modules cannot see this class; their messages
     * name the value at fault.
     */
    public static <T> T whenRefused(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw e instanceof BadInputException bad ? bad : new BadInputException(e.getMessage(), e);
        }
    }
}
