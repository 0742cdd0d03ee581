package dev.streamparrot.registryapp;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.inject.Produces;
import javax.inject.Singleton;
import java.util.List;

/** Stands in for the build step of apicurio-common-app-components-config-index-deployment (not on Maven Central):
 *  no properties are editable at run time through the admin API; everything else is static config. */
@ApplicationScoped
public class DynamicConfigShim {
    @Produces @Singleton
    DynamicConfigPropertyList dynamicConfigPropertyList() { return new DynamicConfigPropertyList(List.of()); }
}
