/**
 * Service provider interfaces: what a user or a module plugs into RingRaft. {@code StateMachine}
 * (the replicated application; {@code StreamingStateMachine} with {@code ApplyProgress} is its
 * streaming form), {@code LogStorage} (durable log and vote), and
 * {@code RaftTransportFactory}/{@code RaftTransport} (the network), {@code SnapshotStore} (durable
 * snapshots), {@code RaftMetrics} (a node's measurements, for a metrics library), and
 * {@code LogEntries}, the view of consecutive entries they all take and give.
 */
package io.ringraft.spi;
