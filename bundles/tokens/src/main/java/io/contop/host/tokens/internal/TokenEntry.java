package io.contop.host.tokens.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.contop.host.api.PairingToken;

/**
 * A token held by the store, with the fields of its {@code tokens.json} entry that this host does
 * not interpret.
 *
 * @param extra fields written back unchanged, such as {@code stun_config}; null for none
 */
record TokenEntry(PairingToken token, ObjectNode extra) {
}
