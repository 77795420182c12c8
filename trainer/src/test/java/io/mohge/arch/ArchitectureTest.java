package io.mohge.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    /** No package cycle anywhere in io.mohge. */
    @Test
    void packagesFormNoCycle() {
        slices().matching("io.mohge.(*)..").should().beFreeOfCycles().check(classes);
    }

    /**
     * The run config's records are read by every stage of the run and therefore depend on none of them: a component
     * record that lived next to its component made config and that component import each other.
     */
    @Test
    void configDependsOnNoStageOfTheRun() {
        noClasses().that().resideInAPackage("io.mohge.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mohge.train..", "io.mohge.export..",
                        "io.mohge.spark..", "io.mohge.mixture..", "io.mohge.generate..", "io.mohge.merge..",
                        "io.mohge.ablate..", "io.mohge.bench..", "io.mohge.cluster..", "io.mohge.cli..")
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
