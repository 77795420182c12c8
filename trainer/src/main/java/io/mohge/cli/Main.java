package io.mohge.cli;

import io.mohge.config.BadInputException;
import io.mohge.config.ConfigException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Entry point of the {@code mohge} launcher: one subcommand per job. */
@Command(name = "mohge", mixinStandardHelpOptions = true, version = "MoHGE-J 0.1.0",
        description = "Train, evaluate, export and analyse Mixture-of-Heterogeneous-Grouped-Experts language models.",
        subcommands = {PrepareCommand.class, TrainCommand.class, EvalCommand.class, ExportCommand.class,
                AblateCommand.class, AllocateCommand.class, BenchCommand.class, GenerateCommand.class, MergeCommand.class,
                MergeBenchCommand.class, SmallTalkCommand.class, ClusterCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad input (config, data files, arguments): a message, no stack trace. */
    public static final int EXIT_BAD_INPUT = 2;

    /** Exit code for an internal error, i.e. a bug: the stack trace, to be reported. */
    public static final int EXIT_INTERNAL_ERROR = 1;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "More logging (INFO for all libraries, DEBUG for MoHGE-J) and stack traces on errors.")
    void setVerbose(boolean verbose) {
        this.verbose = verbose;
        if (verbose) {
            Configurator.setRootLevel(Level.INFO);
            Configurator.setLevel("io.mohge", Level.DEBUG);
        }
    }

    private boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests). */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        var gpuRefusal = CudaGuard.checkBeforeNd4j();
        if (gpuRefusal.isPresent()) {
            err.println("error: " + gpuRefusal.get());
            err.flush();
            return EXIT_BAD_INPUT;
        }
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(main::handle);
        cli.setParameterExceptionHandler(new UsageErrors());
        var unknown = UsageErrors.unknownCommand(cli, args);
        if (unknown.isPresent()) return UsageErrors.print(err, unknown.get(), "mohge");
        return cli.execute(args);
    }

    /** picocli hands a command's exception over as it was thrown (a ParameterException goes to {@link UsageErrors}). */
    private int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        return report(e, cmd.getErr(), verbose);
    }

    /**
     * Bad input prints one readable line and returns {@link #EXIT_BAD_INPUT} ({@code verbose} adds the stack
     * trace); anything else is a bug: "internal error (please report)", the stack trace and
     * {@link #EXIT_INTERNAL_ERROR}.
     */
    static int report(Throwable e, PrintWriter err, boolean verbose) {
        Throwable bad = badInput(e);
        if (bad != null) {
            err.println("error: " + describe(bad));
            if (verbose) e.printStackTrace(err);
            err.flush();
            return EXIT_BAD_INPUT;
        }
        err.println("internal error (please report): " + e);
        e.printStackTrace(err);
        err.flush();
        return EXIT_INTERNAL_ERROR;
    }

    static boolean isBadInput(Throwable e) {
        return badInput(e) != null;
    }

    /**
     * The bad input {@code e} reports, or null for a bug. Bad input is a {@link BadInputException} (a
     * {@link ConfigException} too), an IOException or UncheckedIOException (files and the environment; the message
     * names the file) or a picocli parameter error. A bare IllegalArgumentException, IllegalStateException,
     * NullPointerException... is a bug. Exceptions that only carry another one across a thread or a reflective call
     * are looked through.
     */
    static Throwable badInput(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 8; depth++, t = carried(t)) {
            if (t instanceof BadInputException || t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof CommandLine.ParameterException) {
                return t;
            }
        }
        return null;
    }

    /** The exception {@code t} only carries, or null when {@code t} is an exception of its own. */
    private static Throwable carried(Throwable t) {
        boolean carrier = t instanceof CommandLine.ExecutionException
                || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.util.concurrent.CompletionException
                || t instanceof java.lang.reflect.InvocationTargetException
                || t instanceof java.lang.reflect.UndeclaredThrowableException;
        return carrier && t.getCause() != t ? t.getCause() : null;
    }

    /** The message on one line; a file system exception without a reason says what is wrong with its file. */
    private static String describe(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.toString() : e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() == null) {
            String what = e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof NotDirectoryException ? "not a directory"
                    : e instanceof DirectoryNotEmptyException ? "directory not empty"
                    : e.getClass().getSimpleName();
            message = message + ": " + what;
        }
        return message.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
