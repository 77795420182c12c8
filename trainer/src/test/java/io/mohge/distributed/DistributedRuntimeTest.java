package io.mohge.distributed;

import io.mohge.cli.Main;
import io.mohge.config.BadInputException;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer's tests run without the Spark module on the class path, as MOHGE_SPARK=0 ./mohge does. */
class DistributedRuntimeTest {

    @Test
    void withoutTheSparkModuleDistributedWorkIsRefusedByName() {
        var e = assertThrows(BadInputException.class, DistributedRuntime::load);
        assertTrue(e.getMessage().startsWith("--distributed needs the Spark module"), e.getMessage());
        assertTrue(e.getMessage().contains("trainer/spark/target/mohge-spark.jar"), e.getMessage());
    }

    @Test
    void theCliSaysSoInOneLineWithTheBadInputCode() {
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "bench", "--distributed");
        assertEquals(Main.EXIT_BAD_INPUT, code, err.toString());
        assertTrue(err.toString().startsWith("error: --distributed needs the Spark module"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }
}
