package io.mohge.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The project's layering, checked on the compiled production classes of every module (docs/architecture.md).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.mohge");
    }

    /**
     * No package cycle, apart from the edges listed here that are still to be removed: the run config
     * ({@code io.mohge.config.RunConfig}) still aggregates the trainer's, Spark's and the mixture's own config records while those
     * packages read the run config. The ignored edges are named by source and target class, so any other
     * dependency that closes a cycle is a failure.
     */
    @Test
    void packagesFormNoCycle() {
        slices().matching("io.mohge.(*)..").should().beFreeOfCycles()
                .ignoreDependency(nameMatching("io\\.mohge\\.config\\.RunConfig.*"),
                        nameMatching("io\\.mohge\\.(train\\.(TrainerConfig|ExportConfig)|spark\\.DistributedConfig|mixture\\.MixtureConfig).*"))
                .check(classes);
    }

    @Test
    void sameDiffIsOnlyATestOracle() {
        noClasses().should().dependOnClassesThat().resideInAPackage("org.nd4j.autodiff..")
                .because("the engine is explicit forward/backward on ND4J arrays; SameDiff lives in test sources")
                .check(classes);
    }

    @Test
    void onlyMainMayExitTheJvm() {
        noClasses().that().doNotHaveFullyQualifiedName("io.mohge.cli.Main")
                .should().callMethod(System.class, "exit", int.class)
                .because("a Spark executor or a test must not be killed by a library call")
                .check(classes);
    }

    @Test
    void storageHelpersDependOnNothingAbove() {
        noClasses().that().resideInAnyPackage("io.mohge.tensors..", "io.mohge.files..", "io.mohge.json..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mohge.train..", "io.mohge.export..",
                        "io.mohge.config..", "io.mohge.cli..", "io.mohge.spark..")
                .check(classes);
    }
}
