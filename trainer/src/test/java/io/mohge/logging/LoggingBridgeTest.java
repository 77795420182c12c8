package io.mohge.logging;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every logging API used by ND4J, Hadoop and Spark ends up in the one Log4j 2 configuration. */
class LoggingBridgeTest {

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private AbstractAppender appender;

    @BeforeEach
    void attach() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        assertEquals("mohge", config.getName(), "the shipped log4j2.xml must parse and be the active config");
        appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                seen.add(event.getLoggerName() + ":" + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        config.getRootLogger().addAppender(appender, null, null);
        ctx.updateLoggers();
    }

    @AfterEach
    void detach() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender("capture");
        ctx.updateLoggers();
    }

    @Test
    void slf4jCommonsLoggingLog4j1AndJulAllReachLog4j2() {
        org.slf4j.LoggerFactory.getLogger("bridge.slf4j").warn("via slf4j");
        org.apache.commons.logging.LogFactory.getLog("bridge.jcl").warn("via commons-logging");
        org.apache.log4j.Logger.getLogger("bridge.log4j1").warn("via log4j 1.2 api");
        java.util.logging.Logger.getLogger("bridge.jul").warning("via jul");
        assertTrue(seen.contains("bridge.slf4j:via slf4j"), seen.toString());
        assertTrue(seen.contains("bridge.jcl:via commons-logging"), seen.toString());
        assertTrue(seen.contains("bridge.log4j1:via log4j 1.2 api"), seen.toString());
        assertTrue(seen.contains("bridge.jul:via jul"), seen.toString());
    }

    @Test
    void quietByDefault() {
        org.slf4j.LoggerFactory.getLogger("org.apache.spark.SparkContext").info("chatty");
        java.util.logging.Logger.getLogger("org.apache.hadoop.hdfs").info("chatty");
        assertTrue(seen.isEmpty(), "third-party INFO must be filtered by default: " + seen);
        LoggerConfig mohge = ((LoggerContext) LogManager.getContext(false)).getConfiguration().getLoggerConfig("io.mohge.train");
        assertEquals(org.apache.logging.log4j.Level.INFO, mohge.getLevel());
    }
}
