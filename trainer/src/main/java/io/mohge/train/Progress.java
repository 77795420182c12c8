package io.mohge.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;

/** Console progress bar of the training steps (on standard error), or nothing when disabled. */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;

    Progress(boolean enabled, String task, long startStep, long totalSteps) {
        this.bar = enabled
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(500)
                        .startsFrom(startStep, Duration.ZERO).build()
                : null;
    }

    void step(long step, String message) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(message);
        }
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
