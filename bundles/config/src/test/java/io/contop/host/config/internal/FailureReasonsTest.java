package io.contop.host.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FailureReasonsTest {

    @Test
    void reasonSkipsReflectionWrapper() {
        // The shape Felix SCR 2.2 records for a constructor that threw.
        String failure = String.join("\n",
                "java.lang.reflect.InvocationTargetException",
                "\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
                "\tat org.apache.felix.scr.impl.manager.SingleComponentManager.createComponent(SingleComponentManager.java:115)",
                "Caused by: java.lang.IllegalArgumentException: address must be an IPv4 address, was \"bad\"",
                "\tat io.contop.host.path.lan.internal.LanNetworkPath.<init>(LanNetworkPath.java:68)",
                "\t... 21 more");

        assertEquals("address must be an IPv4 address, was \"bad\"", FailureReasons.reason(failure));
    }

    @Test
    void reasonFallsBackToFirstLine() {
        assertEquals("java.lang.NullPointerException", FailureReasons.reason("java.lang.NullPointerException\n\tat x.y(Z.java:1)"));
        assertEquals("activation failed", FailureReasons.reason(null));
        assertEquals("activation failed", FailureReasons.reason(" "));
    }

    @Test
    void reasonIsMessageOfComponentException() {
        String failure = String.join("\n",
                "java.lang.reflect.InvocationTargetException",
                "\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)",
                "Caused by: java.lang.IllegalStateException: Cannot listen on *:8000: Address already in use",
                "\tat io.contop.host.transport.internal.HttpTransport.<init>(HttpTransport.java:160)",
                "Caused by: java.net.BindException: Address already in use",
                "\t... 22 more");

        assertEquals("Cannot listen on *:8000: Address already in use", FailureReasons.reason(failure));
    }

    @Test
    void reasonKeepsColonsInMessage() {
        assertEquals("Cannot listen on *:80: Permission denied",
                FailureReasons.reason("java.lang.IllegalStateException: Cannot listen on *:80: Permission denied"));
    }
}
