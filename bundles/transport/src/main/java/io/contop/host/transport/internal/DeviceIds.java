package io.contop.host.transport.internal;

/** Validation of the {@code device_id} query parameter. */
final class DeviceIds {
    static final int MAX_LENGTH = 128;

    private DeviceIds() {
    }

    /** Returns the id, or null when it is missing, empty, too long or has control characters. */
    static String normalize(String deviceId) {
        if (deviceId == null || deviceId.isEmpty() || deviceId.length() > MAX_LENGTH) {
            return null;
        }
        for (int i = 0; i < deviceId.length(); i++) {
            if (Character.isISOControl(deviceId.charAt(i))) {
                return null;
            }
        }
        return deviceId;
    }
}
