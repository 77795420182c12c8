package io.mohge.model;

/**
 * Validation helpers of the config records. They live outside {@link ModelConfig} so that initialising a nested
 * record (e.g. {@code ModelConfig.Moe.DEFAULTS}) does not trigger ModelConfig's own static initialiser while the
 * nested DEFAULTS are still null (a class-initialisation cycle that made ModelConfig.DEFAULTS fail).
 */
final class ConfigChecks {

    private ConfigChecks() {
    }

    static void positive(String key, double value) {
        if (!(value > 0)) throw new IllegalArgumentException(key + ": must be positive, got " + fmt(value));
    }

    static void nonNegative(String key, double value) {
        if (!(value >= 0)) throw new IllegalArgumentException(key + ": must be 0 or more, got " + fmt(value));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
