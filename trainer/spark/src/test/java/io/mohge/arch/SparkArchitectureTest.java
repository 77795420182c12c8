package io.mohge.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The Spark module's place in the layering (docs/architecture.md): it implements the trainer's DistributedRuntime and
 * is reached only through ServiceLoader, so it sits above every stage and below nothing.
 */
class SparkArchitectureTest {

    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all = ArchitectureTest.importProject();
    }

    @Test
    void theTrainerAndTheSparkModuleAreBothImported() {
        ArchitectureTest.requireImported(all, "io.mohge.spark", "io.mohge.distributed", "io.mohge.train", "io.mohge.engine");
    }

    @Test
    void theSparkModuleAndTheTrainerTogetherFormNoCycle() {
        ArchitectureTest.NO_PACKAGE_CYCLE.check(all);
    }

    @Test
    void onlyTheSparkModuleUsesSpark() {
        noClasses().that().resideOutsideOfPackage("io.mohge.spark..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "scala..")
                .because("a run without --distributed must not need Spark's jars")
                .check(all);
    }

    @Test
    void theRuntimeDoesNotReachBackIntoTheCli() {
        noClasses().that().resideInAPackage("io.mohge.spark..")
                .should().dependOnClassesThat().resideInAPackage("io.mohge.cli..")
                .check(all);
    }

    @Test
    void onlyMainMayExitTheJvm() {
        ArchitectureTest.ONLY_MAIN_EXITS.check(all);
    }
}
