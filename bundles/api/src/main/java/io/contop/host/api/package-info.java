/**
 * Service interfaces of Contop Host. Every concern of the daemon (token store, DTLS identity, QR
 * encoding, network paths, provider credentials, signaling transport and WebRTC engine) is a
 * bundle that implements or uses the services declared here.
 */
@Export
@Version("1.0.0")
package io.contop.host.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
