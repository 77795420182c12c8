package io.mohge.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;

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

    /** Bad input prints one readable line; anything else is a bug and keeps its stack trace. */
    private int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        if (isBadInput(e)) {
            err.println("error: " + e.getMessage());
            if (verbose) e.printStackTrace(err);
            err.flush();
            return EXIT_BAD_INPUT;
        }
        err.println("internal error (please report): " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    static boolean isBadInput(Throwable e) {
        return e instanceof io.mohge.config.ConfigException
                || e instanceof IllegalArgumentException
                || e instanceof IOException
                || e instanceof UncheckedIOException;
    }
}
