package dev.cracdev.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The key of a ready image: a hash over the main class, program arguments and fixture hook, and every
 * file of the app roots and fixture paths (path, size, modification time). Changed code, fixtures or
 * start-up give another key, so {@code reset} never restores an image of an app that is no longer the
 * one configured. (The environment is covered by the fingerprint the ready image lives under.)
 */
public final class ReadyKey {
    private ReadyKey() {
    }

    public static String of(List<Path> appRoots, List<Path> fixtures, String mainClass, List<String> args, String fixtureHook)
            throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // how the app was started is part of the state: each value on a line of its own, URL-encoded, so
        // ["a b"] and ["a", "b"] differ
        md.update(("main " + mainClass + "\nhook " + fixtureHook + "\n").getBytes(StandardCharsets.UTF_8));
        for (String arg : args) {
            md.update(("arg " + URLEncoder.encode(arg, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (Path root : Stream.concat(appRoots.stream(), fixtures.stream()).toList()) {
            if (!Files.exists(root)) {
                md.update(("missing " + root + "\n").getBytes(StandardCharsets.UTF_8));
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    md.update((f + " " + a.size() + " " + a.lastModifiedTime().toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (UncheckedIOException e) {
                throw e.getCause(); // a build deleting files while we look
            }
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    }
}
