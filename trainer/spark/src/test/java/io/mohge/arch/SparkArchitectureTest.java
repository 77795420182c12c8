package io.mohge.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The Spark module's place in the layering (docs/architecture.md): it implements the trainer's DistributedRuntime and
 * is reached only through ServiceLoader, so it sits above every stage and below nothing.
 */
class SparkArchitectureTest {

    private static JavaClasses all;

    @BeforeAll
    static void importClasses() {
        all = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ArchitectureTest::projectModule)
                .importPackages("io.mohge");
    }

    @Test
    void theTrainerAndTheSparkModuleAreBothImported() {
        for (String pkg : java.util.List.of("io.mohge.spark", "io.mohge.distributed", "io.mohge.train", "io.mohge.engine")) {
            org.junit.jupiter.api.Assertions.assertTrue(all.containPackage(pkg), pkg + " was not imported");
        }
    }

    @Test
    void theSparkModuleAndTheTrainerTogetherFormNoCycle() {
        slices().matching("io.mohge.(*)..").should().beFreeOfCycles().check(all);
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
        noClasses().that().doNotHaveFullyQualifiedName("io.mohge.cli.Main")
                .should().callMethod(System.class, "exit", int.class)
                .because("a Spark executor must not be killed by a library call")
                .check(all);
    }
}
