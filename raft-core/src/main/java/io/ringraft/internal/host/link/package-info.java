/**
 * The host's link to its peer processes: {@link io.ringraft.internal.host.link.HostLink} coalesces
 * the heartbeats (and their answers) of all of a host's groups into one message per peer process per
 * flush, and watches whether each peer process is alive, so quiesced groups learn that a leader's
 * process is gone without heartbeats of their own (DESIGN section 4b, issue 13).
 */
package io.ringraft.internal.host.link;
