/**
 * The video that the WebRTC engine sends to phones, kept free of WebRTC library types: a
 * {@link io.contop.host.api.video.VideoSource} service delivers I420 frames to a
 * {@link io.contop.host.api.video.VideoSink}, and the engine picks the registered source with the
 * highest service ranking.
 */
@Export
@Version("1.0.0")
package io.contop.host.api.video;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
