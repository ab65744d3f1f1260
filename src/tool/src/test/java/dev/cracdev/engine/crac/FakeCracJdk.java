package dev.cracdev.engine.crac;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A stand-in for a CRaC JDK with the legacy executable engine, as real processes, behaving as openjdk/crac's
 * source does where it matters to the engine (no CRaC JDK can be obtained here):
 * <ul>
 *   <li>template ({@code -XX:CRaCCheckpointTo=DIR}): reaches the boundary (its events carry the token it was
 *       given, a restored one the token of its go line), writes the image and CRIU's
 *       success line, exits 137 (killed by the dump); a helper that left the template's process tree
 *       writes {@code DIR/cppath} with the real path of DIR a moment later, and nothing if DIR is gone
 *       (criuengine.c checkpoint(), create_cppath());</li>
 *   <li>restore ({@code -XX:CRaCRestoreFrom=IMG}): fails without {@code IMG/cppath} as criuengine.c
 *       restore() does; else the launcher (restorewait) runs the restored "JVM" as its child, forwards
 *       signals 1-31 to it and mirrors its exit; the JVM says STARTED, then does what {@code behaviour}
 *       says: {@code run} (until SIGTERM: its shutdown hook writes {@code terminated}, exit 143),
 *       {@code exit76} (the app fails right after STARTED), {@code stray} (checkpoints again into its
 *       CRaCCheckpointTo directory, then runs).</li>
 * </ul>
 */
final class FakeCracJdk {
    private static final String JAVA = """
            #!/bin/bash
            jdk=$(cd "$(dirname "$0")/.." && pwd)
            for a in "$@"; do
              case "$a" in
                -XX:CRaCRestoreFrom=*) restore="${a#*=}" ;;
                -XX:CRaCCheckpointTo=*) to="${a#*=}" ;;
                -Dcracdev.go=*) go="${a#*=}" ;;
                -Dcracdev.token=*) token="${a#*=}" ;;
              esac
            done
            if [ -z "$restore" ]; then
              echo "@crac-dev@ $token boundary ms=5 preloaded=0 failed=0 reads=0"
              mkdir -p "$to" && echo pages > "$to/pages-1.img"
              printf '(00.10) Dumping task 1\\n(00.20) Dumping finished successfully\\n' > "$to/dump4.log"
              (setsid sh -c 'sleep 0.3; real=$(realpath -e "$1") && printf %s "$real" > "$real/cppath"' criuengine-checkpoint "$to" </dev/null >/dev/null 2>&1 &)
              exit 137
            fi
            if [ ! -s "$restore/cppath" ]; then echo "open cppath: No such file or directory" >&2; exit 1; fi
            gen=$(printf '%s' "$go" | sed -n 's/.* gen=\\([0-9]*\\).*/\\1/p')
            token=$(printf '%s' "$go" | sed -n 's/.* token=\\([^ ]*\\).*/\\1/p')
            behaviour=$(cat "$jdk/behaviour" 2>/dev/null || echo run)
            restored() {
              trap 'echo "gen $gen" >> "$jdk/terminated"; exit 143' TERM
              echo "@crac-dev@ $token started gen=$gen"
              case "$behaviour" in
                exit76) exit 76 ;;
                stray) mkdir -p "$to" && echo pages > "$to/pages-1.img" ;;
              esac
              while :; do sleep 0.02; done
            }
            # forwarding is in place before the JVM can say STARTED (a signal sent on seeing it must reach it);
            # one that comes before $jvm is known is held and delivered right after
            jvm=; held=
            forward() { if [ -n "$jvm" ]; then kill -"$1" "$jvm"; else held="$held $1"; fi; }
            for s in HUP INT QUIT USR1 USR2 TERM; do trap "forward $s" $s; done
            restored &
            jvm=$!
            for s in $held; do kill -"$s" "$jvm"; done
            while :; do
              wait $jvm; status=$?
              kill -0 $jvm 2>/dev/null || exit $status
            done
            """;

    final Path home;

    FakeCracJdk(Path dir) throws IOException {
        home = Files.createDirectories(dir);
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Path java = home.resolve("bin/java");
        Files.writeString(java, JAVA);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        Path engine = home.resolve("lib/criuengine");
        Files.writeString(engine, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(engine, PosixFilePermissions.fromString("rwx------"));
    }

    Path java() {
        return home.resolve("bin/java");
    }

    void behaviour(String b) throws IOException {
        Files.writeString(home.resolve("behaviour"), b);
    }

    Path terminated() {
        return home.resolve("terminated");
    }
}
