package io.contop.host.config.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last valid configuration of every Contop Host component in force.
 *
 * <p>After each change of a configuration whose PID (or factory PID) starts with
 * {@code io.contop.host.}, the guard checks the new values against the consuming component's
 * metatype, then waits until Declarative Services has applied them and looks at the component's
 * state. A change is invalid when the metatype rejects a value, or when the component fails to
 * activate with it, because its constructor rejects the values with a message that names the
 * setting. The guard then logs the setting and the reason at ERROR and puts the previous
 * configuration back. Without a previous valid configuration it deletes the new one, so that the
 * component runs on its defaults again.
 *
 * <p>NOTE: Declarative Services applies a change before the guard can look at it, so a component
 * without a valid configuration is down (its port closed, for the transport) from the invalid
 * change until the restored configuration is applied, usually well under a second. The file in
 * {@code config/} keeps the invalid text until it is edited; the daemon logs the rejection again
 * at every start until then.
 */
@Component(immediate = true, service = ConfigurationListener.class, configurationPid = ConfigurationGuard.PID)
@Designate(ocd = ConfigurationGuard.Config.class)
public final class ConfigurationGuard implements ConfigurationListener {
    static final String PID = "io.contop.host.config";
    static final String GUARDED_PREFIX = "io.contop.host.";

    @org.osgi.service.metatype.annotations.ObjectClassDefinition(name = "Contop Host configuration guard",
            description = "Rejects invalid configuration changes and keeps the previous configuration in force.")
    public @interface Config {
        @AttributeDefinition(name = "Settle time (seconds)", min = "1", max = "300",
                description = "How long the guard waits for a component to apply a changed configuration before it "
                        + "takes the change as valid.")
        int settle_seconds() default 10;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationGuard.class);
    private static final long POLL_MILLIS = 100;

    private final ConfigurationAdmin configurationAdmin;
    private final ServiceComponentRuntime runtime;
    private final BundleContext context;
    private final ConsumerStates states;
    private final long settleMillis;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "contop-config-guard");
        thread.setDaemon(true);
        return thread;
    });
    /** The last configuration found valid, by PID; absent for a PID with none yet. */
    private final Map<String, Map<String, Object>> accepted = new ConcurrentHashMap<>();
    /** A counter per PID, so that a check overtaken by a newer change of the same PID stops. */
    private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MetaTypeService metaType;

    @Activate
    public ConfigurationGuard(@Reference ConfigurationAdmin configurationAdmin,
            @Reference ServiceComponentRuntime runtime, BundleContext context, Config config) {
        if (config.settle_seconds() < 1) {
            throw new IllegalArgumentException("settle.seconds must be at least 1, was " + config.settle_seconds());
        }
        this.configurationAdmin = configurationAdmin;
        this.runtime = runtime;
        this.context = context;
        this.states = new ConsumerStates(runtime, context);
        this.settleMillis = TimeUnit.SECONDS.toMillis(config.settle_seconds());
        worker.execute(this::checkExisting);
    }

    @Deactivate
    void deactivate() {
        worker.shutdownNow();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        String pid = event.getPid();
        String factoryPid = event.getFactoryPid();
        if (!isGuarded(pid, factoryPid)) {
            return;
        }
        long generation = generations.computeIfAbsent(pid, key -> new AtomicLong()).incrementAndGet();
        if (event.getType() == ConfigurationEvent.CM_DELETED) {
            accepted.remove(pid);
            return;
        }
        if (event.getType() == ConfigurationEvent.CM_UPDATED) {
            schedule(new Check(pid, factoryPid, generation, System.currentTimeMillis() + settleMillis, true), 0);
        }
    }

    private static boolean isGuarded(String pid, String factoryPid) {
        String consumerPid = factoryPid != null ? factoryPid : pid;
        return consumerPid.startsWith(GUARDED_PREFIX) && !consumerPid.equals(PID);
    }

    /** Checks the configurations that exist when the guard starts, as if each had just changed. */
    private void checkExisting() {
        try {
            Configuration[] existing = configurationAdmin.listConfigurations(null);
            if (existing == null) {
                return;
            }
            for (Configuration configuration : existing) {
                String pid = configuration.getPid();
                if (isGuarded(pid, configuration.getFactoryPid())) {
                    long generation = generations.computeIfAbsent(pid, key -> new AtomicLong()).incrementAndGet();
                    schedule(new Check(pid, configuration.getFactoryPid(), generation,
                            System.currentTimeMillis() + settleMillis, false), 0);
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.error("Listing the configurations failed; changes made before now are not checked", e);
        }
    }

    private void schedule(Check check, long delayMillis) {
        if (!worker.isShutdown()) {
            worker.schedule(check::run, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Returns the configuration with this PID without binding it to this bundle, or null. */
    private Configuration find(String pid) throws IOException, InvalidSyntaxException {
        Configuration[] found = configurationAdmin.listConfigurations("(service.pid=" + ConfigurationValues.escapeFilter(pid) + ")");
        return found == null || found.length == 0 ? null : found[0];
    }

    /** Returns the descriptions of the Contop Host components that consume {@code consumerPid}. */
    private List<ComponentDescriptionDTO> consumers(String consumerPid) {
        List<ComponentDescriptionDTO> consumers = new ArrayList<>();
        for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
            if (description.bundle.symbolicName.startsWith(GUARDED_PREFIX)
                    && Arrays.asList(description.configurationPid).contains(consumerPid)) {
                consumers.add(description);
            }
        }
        return consumers;
    }

    /** One pending check of one configuration change; it polls until it can decide or the settle time ends. */
    private final class Check {
        private final String pid;
        private final String factoryPid;
        private final long generation;
        private final long deadline;
        /** True for a change made while the daemon runs, false for a configuration found at start-up. */
        private final boolean live;
        private boolean metatypeChecked;
        private boolean seenApplied;
        private boolean failureRecorded;
        /**
         * The failure a consumer showed when this check began, for a configuration the guard has
         * not accepted before. NOTE: when Declarative Services has already failed on such new
         * values by then, and the failure text is the same, the change is taken as valid at the
         * deadline instead of rejected.
         */
        private String failureBefore;

        Check(String pid, String factoryPid, long generation, long deadline, boolean live) {
            this.pid = pid;
            this.factoryPid = factoryPid;
            this.generation = generation;
            this.deadline = deadline;
            this.live = live;
        }

        void run() {
            if (generations.get(pid).get() != generation) {
                return;
            }
            try {
                Configuration configuration = find(pid);
                if (configuration == null || configuration.getProperties() == null) {
                    return;
                }
                Map<String, Object> values = ConfigurationValues.toMap(configuration.getProperties());
                Map<String, Object> previous = accepted.get(pid);
                if (previous != null && ConfigurationValues.sameValues(previous, values)) {
                    // Valid before, such as the configuration the guard just put back. Declarative
                    // Services may still report the failure of the rejected values for a moment.
                    return;
                }
                String consumerPid = factoryPid != null ? factoryPid : pid;
                List<ComponentDescriptionDTO> consumers = consumers(consumerPid);

                if (!metatypeChecked && !consumers.isEmpty()) {
                    metatypeChecked = true;
                    List<String> problems = metatypeProblems(consumers.get(0), consumerPid, values);
                    if (!problems.isEmpty()) {
                        reject(configuration, values, String.join("; ", problems));
                        return;
                    }
                }
                if (!failureRecorded) {
                    failureRecorded = true;
                    // At start-up the configuration existed before the guard, so a failure is its own.
                    // After an accepted configuration the component ran, so any failure now is this
                    // change's own, even when Declarative Services reported it before this check began.
                    failureBefore = live && !accepted.containsKey(pid)
                            ? states.currentFailure(consumers, pid, factoryPid != null) : null;
                }
                ConsumerStates.Outcome outcome = states.outcome(consumers, pid, factoryPid != null, values,
                        failureBefore);
                boolean confirmed = outcome.kind() == ConsumerStates.Kind.APPLIED
                        || (outcome.kind() == ConsumerStates.Kind.APPLIED_UNCONFIRMED && seenApplied);
                seenApplied = outcome.kind() == ConsumerStates.Kind.APPLIED_UNCONFIRMED;
                if (outcome.kind() == ConsumerStates.Kind.FAILED) {
                    reject(configuration, values, FailureReasons.reason(outcome.failure()));
                } else if (confirmed || System.currentTimeMillis() >= deadline) {
                    // NOTE: at the deadline a pending change is taken as valid, such as one for a
                    // component whose references are missing; Declarative Services has no verdict then.
                    accept(values);
                } else {
                    schedule(this, POLL_MILLIS);
                }
            } catch (IOException | InvalidSyntaxException | RuntimeException e) {
                LOG.error("Checking configuration {} failed; it is left as it is", pid, e);
            }
        }

        private List<String> metatypeProblems(ComponentDescriptionDTO consumer, String consumerPid,
                Map<String, Object> values) {
            MetaTypeService service = metaType;
            Bundle bundle = context.getBundle(consumer.bundle.id);
            if (service == null || bundle == null) {
                return List.of();
            }
            MetaTypeInformation information = service.getMetaTypeInformation(bundle);
            if (information == null) {
                return List.of();
            }
            boolean known = Arrays.asList(information.getPids()).contains(consumerPid)
                    || Arrays.asList(information.getFactoryPids()).contains(consumerPid);
            if (!known) {
                return List.of();
            }
            ObjectClassDefinition definition = information.getObjectClassDefinition(consumerPid, null);
            return MetatypeCheck.problems(definition, values);
        }

        private void accept(Map<String, Object> values) {
            Map<String, Object> previous = accepted.put(pid, values);
            if (previous != null && !ConfigurationValues.sameValues(previous, values)) {
                LOG.info("Applied configuration {}{} (changed: {})", pid, source(values),
                        String.join(", ", ConfigurationValues.changedKeys(previous, values)));
            } else if (previous == null && live) {
                LOG.info("Applied new configuration {}{}", pid, source(values));
            }
        }

        private void reject(Configuration configuration, Map<String, Object> values, String reason)
                throws IOException {
            Map<String, Object> previous = accepted.get(pid);
            if (previous != null) {
                LOG.error("Rejected configuration {}{}: {}. The previous configuration stays in force (changed: {})",
                        pid, source(values), reason, String.join(", ", ConfigurationValues.changedKeys(previous, values)));
                configuration.update(ConfigurationValues.toDictionary(previous));
            } else {
                LOG.error("Rejected configuration {}{}: {}. No previous configuration exists, so the defaults are in "
                        + "force", pid, source(values), reason);
                configuration.delete();
            }
        }

        private String source(Map<String, Object> values) {
            String file = ConfigurationValues.fileName(values);
            return file == null ? "" : " from " + file;
        }
    }

}
