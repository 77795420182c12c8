package io.mohge.config;

/** A bad configuration: the message names the key, where it was set, and what would be accepted. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
