package io.mohge.config;

/**
 * Identity of a run (YAML section {@code run}).
 *
 * @param name   a label used in logs, metrics and ablation tables
 * @param seed   seed of parameter initialisation, data order and routing noise
 * @param outDir directory for checkpoints, metrics, plots and the resolved config
 */
public record RunSection(String name, long seed, String outDir) {

    public static final RunSection DEFAULTS = new RunSection("mohge", 42L, "runs/mohge");

    public RunSection {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name: use letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        if (outDir == null || outDir.isBlank()) {
            throw new IllegalArgumentException("out_dir: empty; give a directory such as runs/" + name);
        }
    }
}
