package io.mohge.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * Command-line mistakes (unknown command or option, missing or malformed option value, extra argument) print one
 * line, {@code error: <what is wrong>; see 'mohge <command> --help'}, and exit with {@link Main#EXIT_BAD_INPUT};
 * the usage text is printed only on request.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String what = describe(ex);
        return print(cmd.getErr(), what, cmd.getCommandSpec().qualifiedName());
    }

    /**
     * The error for a first argument that names no subcommand of {@code root} (e.g. {@code mohge distill --help},
     * which picocli would answer with the top-level help), or empty when the arguments start well.
     */
    static Optional<String> unknownCommand(CommandLine root, String... args) {
        for (String a : args) {
            if (a.startsWith("-")) continue; // the top-level command has flags only
            if (root.getSubcommands().containsKey(a)) return Optional.empty();
            return Optional.of("unknown command '" + a + "'; the commands are "
                    + String.join(", ", root.getSubcommands().keySet()));
        }
        return Optional.empty();
    }

    static int print(PrintWriter err, String what, String command) {
        err.println("error: " + what + "; see '" + command + " --help'");
        err.flush();
        return Main.EXIT_BAD_INPUT;
    }

    private static String describe(ParameterException ex) {
        String message = oneLine(ex.getMessage());
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) message += " (did you mean " + String.join(" or ", suggestions) + "?)";
        }
        return message;
    }

    private static String oneLine(String s) {
        return s == null ? "invalid arguments" : s.replaceAll("\\s*\\R\\s*", " ").trim().replaceAll("\\.$", "");
    }
}
