package io.mohge.config;

/**
 * A bad configuration: the message names the key, where it was set, and what would be accepted. It is the bad input
 * of config files and {@code --set}, so the CLI reports it like every other {@link BadInputException}.
 */
public final class ConfigException extends BadInputException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
