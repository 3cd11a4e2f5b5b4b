/**
 * Service provider interfaces: what a user or a module plugs into RingRaft. {@code StateMachine}
 * (the replicated application), {@code LogStorage} (durable log and vote), and
 * {@code RaftTransportFactory}/{@code RaftTransport} (the network).
 */
package io.ringraft.spi;
