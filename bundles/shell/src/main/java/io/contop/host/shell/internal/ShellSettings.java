package io.contop.host.shell.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the shell commands and of the QR code printed at start-up, one configuration for both. */
@ObjectClassDefinition(name = "Contop Host shell",
        description = "The contop: shell commands and the QR code printed when the daemon starts on a terminal.")
public @interface ShellSettings {
    String PID = "io.contop.host.shell";

    @AttributeDefinition(name = "QR code at start-up",
            description = "When the daemon starts on a terminal and no permanent pairing exists, pair one and "
                    + "print its QR code. Never printed when standard input or output is not a terminal.")
    boolean startup_qr() default true;

    @AttributeDefinition(name = "Tunnel wait (seconds)", min = "1", max = "600",
            description = "How long contop:tunnel waits for the tunnel to come up before it gives up waiting; "
                    + "the tunnel keeps starting in the background.")
    int tunnel_wait_seconds() default 60;

    @AttributeDefinition(name = "Pairing wait (seconds)", min = "1", max = "600",
            description = "How long contop:pair waits for the token and its certificate.")
    int pair_wait_seconds() default 30;
}
