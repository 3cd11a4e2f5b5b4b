/**
 * Progress tracking of the engine: {@code IoProgress} turns storage flush reports into the durable
 * index ({@code IoId} names one storage state, see {@code docs/io-progress.md}), and
 * {@code Inflights} is the leader's pipelining window towards one follower. Used on the engine's
 * thread only.
 */
package io.ringraft.internal.engine.progress;
