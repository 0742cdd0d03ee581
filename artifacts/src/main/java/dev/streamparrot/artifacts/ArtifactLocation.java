package dev.streamparrot.artifacts;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where an artifact (a released tokenizer.json, a checkpoint directory) is, as announced on a topic: a
 * {@code file:} URI today. The one place that turns a location into a path and back, so that a remote
 * store (issue 13) plugs in here and nowhere else.
 */
public final class ArtifactLocation {
  private ArtifactLocation() {}

  /** The location to announce for a local file or directory. */
  public static String of(Path path) {
    return path.toAbsolutePath().toUri().toString();
  }

  /** The local path of a location: a {@code file:} URI or a plain path; other schemes are refused. */
  public static Path resolve(String location) {
    if (location.startsWith("file:")) return Path.of(URI.create(location));
    if (location.contains("://")) {
      throw new IllegalArgumentException("only local artifacts (file: URIs) are supported: " + location);
    }
    return Path.of(location);
  }
}
