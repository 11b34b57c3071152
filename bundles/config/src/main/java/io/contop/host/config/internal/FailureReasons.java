package io.contop.host.config.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the failure text that Declarative Services records for a component whose activation
 * threw (a stack trace) into the message of the exception that caused it.
 */
final class FailureReasons {
    /** An exception line: an optional {@code Caused by: }, the class name, and the message after a colon. */
    private static final Pattern EXCEPTION_LINE =
            Pattern.compile("^(?:Caused by: )?([\\w$]+\\.)*[\\w$]+(?:Exception|Error)(?:: (.*))?$");

    private FailureReasons() {
    }

    /**
     * Returns the message of the outermost exception in {@code failure} that has one, which is
     * the exception the component threw when reflection wrapped it without a message. Returns the
     * first line when no exception line has a message, and {@code "activation failed"} for null
     * or blank text.
     */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "activation failed";
        }
        for (String line : failure.split("\r?\n")) {
            Matcher matcher = EXCEPTION_LINE.matcher(line.strip());
            if (matcher.matches() && matcher.group(2) != null && !matcher.group(2).isBlank()) {
                return matcher.group(2).strip();
            }
        }
        return failure.strip().split("\r?\n", 2)[0];
    }
}
