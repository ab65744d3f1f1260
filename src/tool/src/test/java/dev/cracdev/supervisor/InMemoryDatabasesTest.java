package dev.cracdev.supervisor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spring config as it is written in the app's own files, options and environment. */
class InMemoryDatabasesTest {
    @TempDir
    Path project;

    @Test
    void anInMemoryH2UrlWithoutACloseDelayIsFoundWhereverSpringWouldReadIt() throws Exception {
        Path classes = Files.createDirectories(project.resolve("target/classes"));
        Files.createDirectories(classes.resolve("config"));
        Files.writeString(classes.resolve("application.properties"), """
                # spring.datasource.url=jdbc:h2:mem:commented
                spring.datasource.url=jdbc:h2:mem:testdb
                other.url=jdbc:h2:mem:kept;DB_CLOSE_DELAY=-1;MODE=PostgreSQL
                lingering.url=jdbc:h2:mem:lingers;db_close_delay=30
                placeholder.url=${DB_URL:jdbc:h2:mem:placeholder;DB_CLOSE_DELAY=-1}
                scripted.url=jdbc:h2:mem:scripted;INIT=RUNSCRIPT FROM 'classpath:x.sql';DB_CLOSE_DELAY=-1
                two.urls=jdbc:h2:mem:first, jdbc:h2:mem:second;DB_CLOSE_DELAY=-1
                spring.profiles.active = dev
                """);
        Files.writeString(classes.resolve("config/application-dev.yml"), """
                spring:
                  datasource:
                    url: "jdbc:h2:mem:devdb;MODE=MySQL"
                """);
        Files.writeString(classes.resolve("messages.properties"), "not.spring=jdbc:h2:mem:elsewhere\n");
        // a profile nobody made active is not the running app's (the usual test profile with its own H2)
        Files.writeString(classes.resolve("application-test.properties"), "spring.datasource.url=jdbc:h2:mem:tests\n");
        Files.writeString(classes.resolve("application-ci.properties"), "spring.datasource.url=jdbc:h2:mem:ci\n");
        Files.writeString(classes.resolve("application-local.properties"), "spring.datasource.url=jdbc:h2:mem:local\n");

        List<String> found = InMemoryDatabases.droppedWithTheirPool(List.of(classes),
                List.of("-Xmx1g", "-Dspring.datasource.url=jdbc:h2:mem:fromoption;DB_CLOSE_DELAY=0"),
                List.of("--spring.datasource.url=jdbc:h2:mem:fromargs", "--spring.profiles.active=local"),
                Map.of("SPRING_DATASOURCE_URL", "jdbc:h2:mem:fromenv", "OTHER", "jdbc:h2:mem:ignored",
                        "SPRING_PROFILES_ACTIVE", "ci"), project);

        assertEquals(List.of(
                "jdbc:h2:mem:ci (target/classes/application-ci.properties)",
                "jdbc:h2:mem:local (target/classes/application-local.properties)",
                "jdbc:h2:mem:testdb (target/classes/application.properties)",
                "jdbc:h2:mem:first (target/classes/application.properties)",
                "jdbc:h2:mem:devdb;MODE=MySQL (target/classes/config/application-dev.yml)",
                "jdbc:h2:mem:fromoption;DB_CLOSE_DELAY=0 (--jvm-opt)",
                "jdbc:h2:mem:fromargs (the app's arguments)",
                "jdbc:h2:mem:fromenv (SPRING_DATASOURCE_URL)"), found);
    }

    @Test
    void aYamlProfileListMakesItsFilesCount() throws Exception {
        Path classes = Files.createDirectories(project.resolve("classes"));
        Files.writeString(classes.resolve("application.yml"), """
                spring:
                  profiles:
                    active: [ "h2", qa ] # the QA setup
                """);
        Files.writeString(classes.resolve("application-qa.yml"), "spring.datasource.url: jdbc:h2:mem:qa\n");
        Files.writeString(classes.resolve("application-prod.yml"), "spring.datasource.url: jdbc:h2:mem:prod\n");
        assertEquals(List.of("jdbc:h2:mem:qa (classes/application-qa.yml)"),
                InMemoryDatabases.droppedWithTheirPool(List.of(classes), List.of(), List.of(), Map.of(), project));
    }

    /** A -D option is a JVM option, not an app argument: it makes a profile active only where it is one. */
    @Test
    void aProfileMadeActiveByAJvmOptionMakesItsFileCount() throws Exception {
        Path classes = Files.createDirectories(project.resolve("classes"));
        Files.writeString(classes.resolve("application-opt.properties"), "spring.datasource.url=jdbc:h2:mem:opt\n");
        Files.writeString(classes.resolve("application-arg.properties"), "spring.datasource.url=jdbc:h2:mem:arg\n");
        assertEquals(List.of("jdbc:h2:mem:opt (classes/application-opt.properties)"),
                InMemoryDatabases.droppedWithTheirPool(List.of(classes), List.of("-Dspring.profiles.active = opt"),
                        List.of("-Dspring.profiles.active=arg"), Map.of(), project));
    }

    @Test
    void anAppWithoutSuchADatabaseHasNothingToBeToldOf() throws Exception {
        Path classes = Files.createDirectories(project.resolve("classes"));
        Files.writeString(classes.resolve("application.properties"), "spring.datasource.url=jdbc:postgresql://db/app\n");
        assertEquals(List.of(), InMemoryDatabases.droppedWithTheirPool(List.of(classes, project.resolve("missing")),
                List.of(), List.of(), Map.of(), project));
    }
}
