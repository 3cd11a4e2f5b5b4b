/**
 * Cluster configurations in the log: {@code ClusterConfig} (voters, learners, joint configurations
 * and their encoding in configuration entries), {@code ConfigEntry} and {@code MembershipLog} (which
 * configuration is in force, reverting on truncation). Used on the engine's thread; the runtime
 * decodes configurations from snapshots and recovered logs. See {@code docs/membership.md}.
 */
package io.ringraft.internal.engine.membership;
