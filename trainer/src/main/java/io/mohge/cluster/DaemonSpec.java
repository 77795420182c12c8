package io.mohge.cluster;

import java.util.List;
import java.util.Map;

/**
 * How to start one daemon of the local cluster.
 *
 * @param name      the daemon's name in the cluster (pid and log file names), e.g. {@code datanode-2}
 * @param mainClass its Java main class
 * @param command   the whole command line (java, flags, class path, main class, arguments)
 * @param env       environment variables added to the inherited ones
 * @param webUi     its web UI address
 */
public record DaemonSpec(String name, String mainClass, List<String> command, Map<String, String> env, String webUi) {

    public DaemonSpec {
        if (name == null || !name.matches("[a-z0-9-]+")) throw new IllegalArgumentException("daemon name: '" + name + "'");
        if (mainClass == null || mainClass.isBlank()) throw new IllegalArgumentException("main class: empty for " + name);
        command = List.copyOf(command);
        env = Map.copyOf(env);
        if (!command.contains(mainClass)) {
            throw new IllegalArgumentException("command of " + name + " does not run " + mainClass + ": " + command);
        }
    }
}
