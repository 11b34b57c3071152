package io.contop.host.itests.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import io.contop.host.api.DtlsIdentityProvider;
import io.contop.host.api.NetworkPath;
import io.contop.host.api.ProviderCredentials;
import io.contop.host.api.QrEncoder;
import io.contop.host.api.SignalingTransport;
import io.contop.host.api.TokenStore;
import io.contop.host.api.WebRtcEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Boots Felix with every bundle of the distribution and checks that every bundle is active and
 * every Contop Host component that needs no configuration is active.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ComponentsActiveIT {
    private static final String OUR_BUNDLES = "io.contop.host.";

    @Inject
    private BundleContext context;

    @Inject
    private ServiceComponentRuntime runtime;

    @Inject
    private TokenStore tokens;

    @Inject
    private WebRtcEngine engine;

    @Configuration
    public Option[] configuration() throws IOException {
        Path bundles = distribution().resolve("bundle");
        List<Option> options = new ArrayList<>();
        try (Stream<Path> jars = Files.list(bundles)) {
            jars.filter(jar -> jar.toString().endsWith(".jar"))
                    .filter(jar -> !jar.getFileName().toString().startsWith("org.apache.felix.gogo.shell"))
                    .sorted()
                    .forEach(jar -> options.add(bundle("reference:" + jar.toUri())));
        }
        Path data = Files.createTempDirectory("contop-paxexam-");
        options.add(systemProperty("contop.data.dir").value(data.toString()));
        options.add(frameworkProperty("contop.data.dir").value(data.toString()));
        options.add(systemProperty("contop.port").value("0"));
        options.add(systemProperty("contop.ice.servers").value(""));
        options.add(systemProperty("logback.configurationFile").value(
                distribution().resolve("conf").resolve("logback.xml").toString()));
        options.add(junitBundles());
        options.add(cleanCaches());
        return options(options.toArray(Option[]::new));
    }

    private static Path distribution() {
        String configured = System.getProperty("contop.distribution");
        return Path.of(configured != null ? configured : "../distribution/target/contop-host").toAbsolutePath();
    }

    @Test
    public void everyBundleIsActive() {
        for (Bundle bundle : context.getBundles()) {
            boolean fragment = bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            assertEquals(bundle.getSymbolicName() + " state", expected, bundle.getState());
        }
    }

    @Test
    public void everyComponentIsActive() {
        List<String> checked = new ArrayList<>();
        for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
            if (!description.bundle.symbolicName.startsWith(OUR_BUNDLES)) {
                continue;
            }
            assertTrue(description.name + " enabled", runtime.isComponentEnabled(description));
            if ("require".equals(description.configurationPolicy)) {
                continue;
            }
            var configurations = runtime.getComponentConfigurationDTOs(description);
            assertFalse(description.name + " has no configuration", configurations.isEmpty());
            for (ComponentConfigurationDTO configuration : configurations) {
                assertEquals(description.name + " state (failure: " + configuration.failure + ")",
                        ComponentConfigurationDTO.ACTIVE, configuration.state);
            }
            checked.add(description.name);
        }
        assertTrue("too few components: " + checked, checked.size() >= 7);
    }

    @Test
    public void everyServiceIsRegistered() {
        for (Class<?> service : List.of(TokenStore.class, DtlsIdentityProvider.class, QrEncoder.class,
                ProviderCredentials.class, NetworkPath.class, SignalingTransport.class, WebRtcEngine.class)) {
            assertNotNull(service.getSimpleName(), context.getServiceReference(service));
        }
        assertTrue(engine.status().detail(), engine.status().available());
        assertTrue(tokens.tokens().isEmpty());
    }
}
