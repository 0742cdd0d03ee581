package dev.streamparrot.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactsTest {
  // FIPS 180-2's test vector for "abc"
  private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void hashesBytesAndFilesAsSha256sumDoes(@TempDir Path tmp) throws Exception {
    assertEquals(ABC, Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    Path file = tmp.resolve("abc.txt");
    Files.writeString(file, "abc");
    assertEquals(ABC, Sha256.of(file));
    // a file larger than one read block hashes as its bytes do
    byte[] big = new byte[200_000];
    for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
    Path bigFile = Files.write(tmp.resolve("big.bin"), big);
    assertEquals(Sha256.of(big), Sha256.of(bigFile));
  }

  @Test
  void aLocationResolvesBackToItsPath(@TempDir Path tmp) {
    Path dir = tmp.resolve("run 1").resolve("step-00000001"); // a space survives the URI round trip
    String location = ArtifactLocation.of(dir);
    assertTrue(location.startsWith("file:"), location);
    assertEquals(dir.toAbsolutePath(), ArtifactLocation.resolve(location));
    assertEquals(Path.of("relative/dir"), ArtifactLocation.resolve("relative/dir"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ArtifactLocation.resolve("s3://bucket/run/step-1"));
    assertTrue(e.getMessage().contains("s3://bucket/run/step-1"), e.getMessage());
  }

  @Test
  void storeKeysAreReadUnderTheVariableNamesTheDeploymentFilesSet(@TempDir Path tmp) {
    // the compose and Kubernetes files set these variables; a command-line job reads them as Micronaut would
    Map<String, String> env = Map.of(
        "STREAMPARROT_STORE_URI", "s3://streamparrot/artifacts",
        "STREAMPARROT_STORE_S3_ENDPOINT", "http://s3:9000",
        "STREAMPARROT_STORE_S3_PATH_STYLE", "true");
    StoreSettings settings = StoreSettings.from(
        key -> Optional.ofNullable(env.get(StoreSettings.variable(key))), tmp);
    assertEquals("s3://streamparrot/artifacts", settings.store());
    assertEquals(URI.create("http://s3:9000"), settings.s3().endpoint());
    assertTrue(settings.s3().pathStyle());
    assertEquals(StoreSettings.KEYS.size(),
        StoreSettings.KEYS.keySet().stream().map(StoreSettings::variable).distinct().count(), "one variable per key");
  }
}
