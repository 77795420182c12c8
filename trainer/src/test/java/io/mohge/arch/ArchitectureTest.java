package io.mohge.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The project's layering, checked on the compiled production classes of every module (docs/architecture.md).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    /** No package cycle anywhere in io.mohge. */
    static final ArchRule NO_PACKAGE_CYCLE = slices().matching("io.mohge.(*)..").should().beFreeOfCycles();

    static final ArchRule ONLY_MAIN_EXITS = noClasses().that().doNotHaveFullyQualifiedName("io.mohge.cli.Main")
            .should().callMethod(System.class, "exit", int.class)
            .because("a Spark executor or a test must not be killed by a library call");

    @BeforeAll
    static void importClasses() {
        classes = importProject();
    }

    /** The production classes of the project's modules on the class path. */
    static JavaClasses importProject() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ArchitectureTest::projectModule)
                .importPackages("io.mohge");
    }

    /** Fails unless every package was imported (a rule over classes that were never imported checks nothing). */
    static void requireImported(JavaClasses classes, String... packages) {
        for (String pkg : packages) {
            org.junit.jupiter.api.Assertions.assertTrue(classes.containPackage(pkg), pkg + " was not imported");
        }
    }

    /**
     * The project's own modules: their classes directories (test phase) or their jars (after package, Maven puts
     * the other modules' jars on the class path; all are named mohge-*.jar, the trainer's mohge.jar), but not the
     * trainer's test-jar (mohge-tests.jar), which the Spark module's tests use.
     */
    static boolean projectModule(com.tngtech.archunit.core.importer.Location location) {
        return !location.isJar() || (location.matches(PROJECT_JAR) && !location.contains("-tests.jar"));
    }

    private static final java.util.regex.Pattern PROJECT_JAR =
            java.util.regex.Pattern.compile(".*/mohge(-[a-z]+)?(-[0-9][^/]*)?\\.jar.*");

    @Test
    void everyModuleIsChecked() {
        requireImported(classes, "io.mohge.allocation", "io.mohge.json", "io.mohge.losses", "io.mohge.engine",
                "io.mohge.data", "io.mohge.train", "io.mohge.cli");
    }

    @Test
    void packagesFormNoCycle() {
        NO_PACKAGE_CYCLE.check(classes);
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
                        "io.mohge.ablate..", "io.mohge.bench..", "io.mohge.cluster..", "io.mohge.distributed..",
                        "io.mohge.cli..")
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
        ONLY_MAIN_EXITS.check(classes);
    }

    @Test
    void storageHelpersDependOnNothingAbove() {
        noClasses().that().resideInAnyPackage("io.mohge.tensors..", "io.mohge.files..", "io.mohge.json..")
                .should().dependOnClassesThat().resideInAnyPackage("io.mohge.train..", "io.mohge.export..",
                        "io.mohge.config..", "io.mohge.cli..", "io.mohge.spark..")
                .check(classes);
    }
}
