package io.contop.host.config.internal;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Reads from Declarative Services whether the components that consume a configuration run with
 * given values.
 *
 * <p>Felix SCR 2.2 shows a component's new properties before it has stopped the old instance and
 * started a new one, so a component reported ACTIVE with the new properties may still be the old
 * instance. A component with a service has run the new values once its registered service carries
 * them and it is ACTIVE. A component without a service counts only when it is seen ACTIVE in two
 * looks in a row. In the same way a component that had failed before the change still shows the
 * old failure with the new properties for a moment, so only a different failure text counts.
 */
final class ConsumerStates {
    /** The result of one look at the consumers. */
    enum Kind {
        /** Not all consumers run with the values yet. */
        PENDING,
        /** Every consumer runs with the values. */
        APPLIED,
        /** Every consumer seems to run with the values, but one without a service needs a second look. */
        APPLIED_UNCONFIRMED,
        /** A consumer failed to activate with the values. */
        FAILED
    }

    /**
     * @param kind the result
     * @param failure the failure text Declarative Services recorded, for {@link Kind#FAILED} only
     */
    record Outcome(Kind kind, String failure) {
    }

    private final ServiceComponentRuntime runtime;
    private final BundleContext context;

    ConsumerStates(ServiceComponentRuntime runtime, BundleContext context) {
        this.runtime = runtime;
        this.context = context;
    }

    /**
     * Looks at the consumers of the configuration {@code pid}.
     *
     * @param factory true when {@code pid} is a factory configuration, whose consumer is the
     *     component configuration with that {@code service.pid}
     * @param staleFailure the failure text a consumer showed before the change, or null; the same
     *     text again is taken as not yet replaced by the outcome of the new values
     */
    Outcome outcome(List<ComponentDescriptionDTO> consumers, String pid, boolean factory, Map<String, Object> values,
            String staleFailure) throws InvalidSyntaxException {
        if (consumers.isEmpty()) {
            return new Outcome(Kind.PENDING, null);
        }
        Kind result = Kind.APPLIED;
        for (ComponentDescriptionDTO description : consumers) {
            if (!runtime.isComponentEnabled(description)) {
                continue;
            }
            ComponentConfigurationDTO applied = null;
            for (ComponentConfigurationDTO candidate : runtime.getComponentConfigurationDTOs(description)) {
                boolean samePid = !factory || pid.equals(candidate.properties.get("service.pid"));
                if (samePid && ConfigurationValues.containsAll(candidate.properties, values)) {
                    applied = candidate;
                }
            }
            if (applied == null) {
                return new Outcome(Kind.PENDING, null);
            }
            if (applied.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                if (Objects.equals(applied.failure, staleFailure)) {
                    return new Outcome(Kind.PENDING, null);
                }
                return new Outcome(Kind.FAILED, applied.failure);
            }
            // An immediate component passes through SATISFIED on its way to ACTIVE or
            // FAILED_ACTIVATION; only a delayed one rests there.
            boolean running = applied.state == ComponentConfigurationDTO.ACTIVE
                    || (applied.state == ComponentConfigurationDTO.SATISFIED && !description.immediate);
            if (!running) {
                return new Outcome(Kind.PENDING, null);
            }
            if (description.serviceInterfaces.length == 0) {
                result = Kind.APPLIED_UNCONFIRMED;
            } else if (!hasServiceWith(description, values)) {
                return new Outcome(Kind.PENDING, null);
            }
        }
        return new Outcome(result, null);
    }

    /** Returns the failure text of a consumer of {@code pid} that failed to activate, or null when none did. */
    String currentFailure(List<ComponentDescriptionDTO> consumers, String pid, boolean factory) {
        for (ComponentDescriptionDTO description : consumers) {
            for (ComponentConfigurationDTO candidate : runtime.getComponentConfigurationDTOs(description)) {
                boolean samePid = !factory || pid.equals(candidate.properties.get("service.pid"));
                if (samePid && candidate.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    return candidate.failure;
                }
            }
        }
        return null;
    }

    /** Returns true when a service of the component is registered with every public one of {@code values}. */
    private boolean hasServiceWith(ComponentDescriptionDTO description, Map<String, Object> values)
            throws InvalidSyntaxException {
        ServiceReference<?>[] references = context.getAllServiceReferences(null,
                "(component.name=" + ConfigurationValues.escapeFilter(description.name) + ")");
        if (references == null) {
            return false;
        }
        for (ServiceReference<?> reference : references) {
            boolean matches = true;
            for (Map.Entry<String, Object> value : values.entrySet()) {
                // Properties that start with a dot are private: never service properties.
                if (!value.getKey().startsWith(".")
                        && !ConfigurationValues.valueEquals(reference.getProperty(value.getKey()), value.getValue())) {
                    matches = false;
                    break;
                }
            }
            if (matches) {
                return true;
            }
        }
        return false;
    }
}
