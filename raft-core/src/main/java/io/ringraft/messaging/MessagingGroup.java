package io.ringraft.messaging;

import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import io.ringraft.internal.messaging.Deliverer;
import io.ringraft.internal.messaging.Envelope;
import io.ringraft.internal.messaging.MessagingMachine;
import io.ringraft.internal.messaging.SourceNode;
import io.ringraft.spi.StateMachine;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of a group that sends and receives messages between groups (issue 15): the application's
 * {@link MessagingStateMachine} wrapped with an outbox and a deduplication table in the replicated state,
 * and the leader's delivery of the outbox. Created by the application before the group's node:
 * <pre>{@code
 * MessagingGroup accounts = MessagingGroup.create(7, new Accounts(), OutboxSettings.defaults());
 * RaftNode node = host.createGroup(7, voters, accounts.stateMachine());
 * accounts.attach(node, MessageRoute.through(host), driver);
 * accounts.propose(command);   // not node.propose: commands travel in an envelope
 * }</pre>
 * Thread-safe: propose and status from any thread.
 */
public final class MessagingGroup implements AutoCloseable {

    private final MessagingMachine machine;
    private volatile RaftNode node;
    private volatile Deliverer deliverer;
    private volatile MessagingDriver driver;

    private MessagingGroup(MessagingMachine machine) {
        this.machine = machine;
    }

    /**
     * Wraps {@code application} for group {@code groupId}.
     *
     * @param groupId     the group's id (the source id its messages carry)
     * @param application the application's state machine
     * @param settings    the outbox's bounds (the same on every replica)
     * @return the group's messaging side, not attached to a node yet
     */
    public static MessagingGroup create(long groupId, MessagingStateMachine application, OutboxSettings settings) {
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(settings, "settings");
        return new MessagingGroup(new MessagingMachine(groupId, application, settings, System::nanoTime));
    }

    /**
     * The state machine to build the group's node with ({@code RaftHost.createGroup} or
     * {@code RaftNode.Builder.stateMachine}).
     *
     * @return the wrapping state machine
     */
    public StateMachine stateMachine() {
        return machine;
    }

    /**
     * Attaches the group's node and starts delivering this replica's outbox whenever it leads.
     *
     * @param node   the node built with {@link #stateMachine()}
     * @param route  how to reach target groups
     * @param driver the thread that runs the delivery
     * @throws IllegalStateException if already attached
     */
    public synchronized void attach(RaftNode node, MessageRoute route, MessagingDriver driver) {
        if (this.node != null) {
            throw new IllegalStateException("group " + node.groupId() + " is attached already");
        }
        this.node = Objects.requireNonNull(node, "node");
        SourceNode source = new SourceNode() {
            @Override
            public boolean isLeader() {
                return node.isLeader();
            }

            @Override
            public CompletableFuture<Object> propose(byte[] entry) {
                return node.propose(entry);
            }
        };
        this.deliverer = new Deliverer(machine, source, route, System::nanoTime, driver::wake);
        this.driver = driver;
        driver.add(deliverer);
    }

    /**
     * Proposes a command to the group ({@code RaftNode.propose} of its envelope), unless the outbox is at or
     * above its high-water mark.
     *
     * @param command the command, handed to {@link MessagingStateMachine#apply}
     * @return completes as {@code RaftNode.propose}'s future; fails at once with {@link RejectedException}
     *         while the outbox is at or above its high-water mark (retry once delivery caught up), and with
     *         {@code RejectedByStateMachineException} (code {@code -16}, nothing changed) if the outbox reached
     *         the mark before the command was applied
     * @throws IllegalStateException if not attached
     */
    public CompletableFuture<Object> propose(byte[] command) {
        RaftNode attached = attached();
        if (machine.refusing()) {
            return CompletableFuture.failedFuture(refusal());
        }
        return attached.propose(Envelope.user(command, 0, command.length));
    }

    /**
     * Proposes a command that carries keys: {@link MessagingStateMachine#apply} sees only the command, and
     * {@link KeyedSubscription}s filtering on any of the keys receive it once committed. Refused as
     * {@link #propose} is while the outbox is at or above its high-water mark.
     *
     * @param keys    the command's keys (at most 1,024 of at most 65,535 bytes each)
     * @param command the command
     * @return completes as {@code RaftNode.propose}'s future, or fails with {@link RejectedException}
     * @throws IllegalArgumentException if there are too many keys or one is too long
     * @throws IllegalStateException    if not attached
     */
    public CompletableFuture<Object> propose(java.util.List<byte[]> keys, byte[] command) {
        RaftNode attached = attached();
        byte[] entry = Envelope.keyed(keys, command);
        if (machine.refusing()) {
            return CompletableFuture.failedFuture(refusal());
        }
        return attached.propose(entry);
    }

    /**
     * As {@link #propose}, from any replica ({@code RaftNode.forward}). The high-water mark is checked
     * against this replica's outbox, which may lag the leader's.
     *
     * @param command the command
     * @return completes as {@code RaftNode.forward}'s future, or fails with {@link RejectedException}
     * @throws IllegalStateException if not attached
     */
    public CompletableFuture<Object> forward(byte[] command) {
        RaftNode attached = attached();
        if (machine.refusing()) {
            return CompletableFuture.failedFuture(refusal());
        }
        return attached.forward(Envelope.user(command, 0, command.length));
    }

    /**
     * Appends a delivery that a source group's {@link MessageRoute} sent from another process (the client
     * protocol's DELIVER request, served by {@code ClientServer} on this group's leader). Only a complete
     * DELIVER entry, as a source's deliverer builds it, is taken; it is proposed as it is (no session: the
     * group deduplicates it by the source's sequence numbers), and never refused by this group's high-water
     * mark (inbound messages always apply, see docs/messaging.md).
     *
     * @param entry the DELIVER entry
     * @return completes as {@code RaftNode.propose}'s future: with the last sequence this group applied from
     *         the entry's source (a {@code Long}) once it is applied here
     * @throws IllegalArgumentException if {@code entry} is not a DELIVER entry
     * @throws IllegalStateException    if not attached
     */
    public CompletableFuture<Object> acceptDelivery(byte[] entry) {
        RaftNode attached = attached();
        if (!Envelope.isDelivery(entry)) {
            throw new IllegalArgumentException("not a messaging delivery entry (" + entry.length + " bytes)");
        }
        return attached.propose(entry);
    }

    /**
     * The envelope a raw {@code RaftNode.propose} must carry for {@code command} (for callers that propose
     * through the node's zero-allocation API themselves). Such a proposal is not checked against the
     * high-water mark before it enters the log, but the group's state machine refuses it when it applies it
     * while the outbox is at or above the mark: the proposer's future then fails with
     * {@code RejectedByStateMachineException} (code {@code -16}), and nothing changed.
     *
     * @param command the command's bytes
     * @return the entry to propose
     */
    public static byte[] envelope(byte[] command) {
        return Envelope.user(command, 0, command.length);
    }

    /**
     * Whether this replica's outbox is at or above its high-water mark, so {@link #propose} refuses now.
     * Any thread; one volatile read.
     *
     * @return true while proposals are refused
     */
    public boolean refusing() {
        return machine.refusing();
    }

    /**
     * This replica's outbox status.
     *
     * @return the status now
     */
    public OutboxStatus status() {
        return machine.status();
    }

    /**
     * The node attached.
     *
     * @return the node, or null before {@link #attach}
     */
    public RaftNode node() {
        return node;
    }

    private RaftNode attached() {
        RaftNode attached = node;
        if (attached == null) {
            throw new IllegalStateException("not attached to a node yet");
        }
        return attached;
    }

    private RejectedException refusal() {
        OutboxStatus status = machine.status();
        return new RejectedException("outbox of group " + node.groupId() + " holds " + status.depth()
                + " undelivered messages, at or above its high-water mark; retry once delivery catches up");
    }

    /** Stops delivering from this replica (the node is the application's to close). */
    @Override
    public synchronized void close() {
        if (driver != null) {
            driver.remove(deliverer);
            driver = null;
        }
    }
}
