/**
 * Clients of Raft groups from outside the group: exactly-once sessions ({@link
 * io.ringraft.api.client.SessionStateMachine}, {@link io.ringraft.api.client.SessionCommands}) and the
 * client API that uses them (see {@code docs/client.md}).
 */
package io.ringraft.api.client;
