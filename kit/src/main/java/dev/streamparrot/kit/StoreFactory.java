package dev.streamparrot.kit;

import dev.streamparrot.artifacts.ArtifactStore;
import dev.streamparrot.artifacts.StoreSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** The artifact store of every service, from the {@code streamparrot.store.*} keys ({@link StoreSettings}). */
@Factory
public final class StoreFactory {
    @Singleton
    @Bean(preDestroy = "close")
    ArtifactStore artifactStore(Environment environment, @Value("${streamparrot.data-dir:.local}") String dataDir) {
        return StoreSettings.from(key -> environment.getProperty(key, String.class), Path.of(dataDir)).open();
    }
}
