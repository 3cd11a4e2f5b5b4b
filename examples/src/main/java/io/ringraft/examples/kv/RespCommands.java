package io.ringraft.examples.kv;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.ringraft.api.LogId;
import io.ringraft.api.Membership;
import io.ringraft.api.NodeStoppedException;
import io.ringraft.api.NotLeaderException;
import io.ringraft.api.RaftException;
import io.ringraft.api.RaftNode;
import io.ringraft.api.RejectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Executes the RESP commands of one node: reads through {@link RaftNode#read} on this node
 * (linearizable, on followers too), writes through the {@link WriteRouter} to the leader. Every
 * call returns a future that completes normally with the reply, errors included, and never blocks.
 *
 * <p>Commands: {@code PING}, {@code ECHO}, {@code GET}, {@code SET key value [NX|XX]}, {@code DEL},
 * {@code EXISTS}, {@code INCR}, {@code INCRBY}, {@code MGET}, {@code MSET}, {@code CAS key expected
 * new}, {@code DBSIZE}, {@code INFO [section]}, {@code CONFIG GET pattern...}, {@code RAFT.STATUS},
 * {@code RAFT.TRANSFER id}, {@code RAFT.SNAPSHOT} (this node takes a snapshot now; the reply is the
 * array {@code [index, term]} of the snapshot's last entry once it is durable), and the membership
 * changes {@code RAFT.ADDLEARNER id}, {@code RAFT.PROMOTE id}, {@code RAFT.REMOVE id}. Thread-safe.
 *
 * <p><b>Membership changes</b> go through {@link WriteRouter#changeMembership}: each is computed at
 * the leader from the leader's current membership and answered {@code +OK} once the new
 * configuration is committed ({@code INFO raft} and {@code RAFT.STATUS} show {@code raft_voters},
 * {@code raft_learners} and {@code raft_membership_changing}).
 * <ul>
 *   <li>{@code RAFT.ADDLEARNER id}: node {@code id}, not yet a member, becomes a learner (it receives
 *       the log, neither votes nor counts toward a quorum). Start it first, with the cluster's voters.
 *   <li>{@code RAFT.PROMOTE id}: learner {@code id} becomes a voter (joint consensus).
 *   <li>{@code RAFT.REMOVE id}: member {@code id} (voter or learner, the leader included) leaves; a
 *       removed leader steps down once the change commits. The last voter cannot be removed.
 * </ul>
 * Replies: {@code -ERR} if the request does not fit the leader's membership (ADDLEARNER of a member,
 * PROMOTE of a non-learner, REMOVE of a non-member or of the last voter), names a node the leader
 * cannot reach, or was sent to a node that runs admin actions only on the leader (node mode: the
 * error names the leader); {@code -TRYAGAIN} if it certainly had no effect (no leader known, the
 * leader moved, another change or a leadership transfer in progress, the leader has not yet
 * committed an entry of its term: {@code NotLeaderException}, {@code RejectedException},
 * {@code NodeStoppedException}); {@code -UNCERTAIN} if the change may or may not take effect
 * (leadership lost after the configuration entry was appended, no commit within ten election
 * timeouts: {@code IndeterminateException}; or no answer within the command timeout).
 *
 * <p><b>Several groups</b> ({@code --groups N}, N above 1): every key belongs to one Raft group,
 * {@link KeyGroups#groupOf}, and a command on keys runs on its keys' group: reads on this process's
 * member of it, writes through that group's router to its leader. A multi-key command ({@code MGET},
 * {@code MSET}, {@code DEL}, {@code EXISTS}) whose keys are in different groups is refused with
 * {@code -CROSSSLOT} and has no effect (keys sharing a hash tag, {@code {tag}}, are in one group):
 * splitting it would lose its atomicity, and a split write could half succeed. {@code DBSIZE} sums the
 * groups' counts. {@code INFO} and {@code RAFT.STATUS} show the host and one line per group (its role,
 * leader, term, commit and applied index); {@code RAFT.STATUS group} shows one group in full;
 * {@code RAFT.TRANSFER id group} and {@code RAFT.SNAPSHOT group} name their group; {@code XFER src dst
 * amount} moves an amount between integer keys of any groups ({@link KvTransfers}: {@code :1} debited, the
 * credit follows exactly once through the source group's outbox; {@code :0} short balance; {@code -TRYAGAIN}
 * and {@code -UNCERTAIN} as for other writes; {@code INFO} shows the outbox depths); the membership
 * commands are refused ({@code -ERR}): a host's membership spans every group.
 */
public final class RespCommands {

    private static final RedisMessage PONG = new SimpleStringRedisMessage("PONG");
    /** What {@code CONFIG GET} knows: what redis-benchmark asks for at start. */
    private static final Map<String, String> CONFIG = new LinkedHashMap<>();

    static {
        CONFIG.put("save", "");
        CONFIG.put("appendonly", "no");
        CONFIG.put("databases", "1");
    }

    private static final long READ_RETRY_DELAY_MILLIS = 10;

    private final GroupRoutes groups;
    private final int maxCommandBytes;
    private final long timeoutMillis;
    /** Bounds the writes in flight at what the node commits; refuses the excess at once. */
    private final WriteAdmission admission;
    /** Writes refused at the door so far (connections pause their reading when it moves). */
    private final java.util.concurrent.atomic.AtomicLong writesRefused = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param self            this node: answers reads and status
     * @param router          where writes and transfers go
     * @param maxCommandBytes largest encoded command ({@code RaftConfig.maxEntryBytes})
     * @param timeout         how long a write or read may take before the client is answered
     *                        {@code -UNCERTAIN} (writes) or {@code -TRYAGAIN} (reads)
     */
    public RespCommands(RaftNode self, WriteRouter router, int maxCommandBytes, Duration timeout) {
        this(GroupRoutes.single(self, router), maxCommandBytes, timeout);
    }

    /**
     * Commands over several groups: each key's command goes to its group ({@link KeyGroups}).
     *
     * @param groups          this process's member and router of each group
     * @param maxCommandBytes largest encoded command ({@code RaftConfig.maxEntryBytes} of the groups)
     * @param timeout         as above
     */
    RespCommands(GroupRoutes groups, int maxCommandBytes, Duration timeout) {
        this.groups = groups;
        this.maxCommandBytes = maxCommandBytes;
        this.timeoutMillis = timeout.toMillis();
        // Writes answered within a tenth of the timeout need no refusal; beyond, the excess is refused.
        this.admission = new WriteAdmission(1024, 64, 65_536, timeout.toNanos() / 10, System::nanoTime);
    }

    /** How a command orders against its neighbours on one connection. */
    enum Kind {
        /** Reads the replicated state: starts only after earlier writes of the connection completed. */
        READ,
        /** Changes the replicated state (or leadership): starts only after earlier reads completed. */
        WRITE,
        /** Answered at once from local state, or an error. */
        LOCAL
    }

    /** The kind of the command {@code args}. */
    static Kind kindOf(List<byte[]> args) {
        return switch (text(args.get(0)).toUpperCase(Locale.ROOT)) {
            // RAFT.SNAPSHOT observes the state, so it waits for the connection's earlier writes.
            case "GET", "MGET", "EXISTS", "DBSIZE", "RAFT.SNAPSHOT" -> Kind.READ;
            case "SET", "DEL", "INCR", "INCRBY", "MSET", "CAS", "XFER", "RAFT.TRANSFER", "RAFT.ADDLEARNER", "RAFT.PROMOTE",
                 "RAFT.REMOVE" -> Kind.WRITE;
            default -> Kind.LOCAL;
        };
    }

    /**
     * Executes one command ({@code args.get(0)} is its name); the future never fails. A data write
     * beyond what admission admits now is refused at once ({@code -TRYAGAIN}); connections that can wait
     * use {@link #needsAdmission}, {@link WriteAdmission#tryAcquire} and {@link #executeAdmitted} instead.
     */
    public CompletableFuture<RedisMessage> execute(List<byte[]> args) {
        if (!needsAdmission(args)) {
            return executeAdmitted(args);
        }
        // Admission: a write beyond what the node commits without queueing is refused here, before it is
        // encoded or proposed (certainly without effect: -TRYAGAIN, with a retry hint).
        if (!admission.tryAcquire()) {
            return done(refusal());
        }
        return executeAdmitted(args);
    }

    /**
     * Executes one command whose admission slot (if it {@link #needsAdmission needs one}) the caller
     * holds; the slot is released when the reply completes. The future never fails.
     */
    CompletableFuture<RedisMessage> executeAdmitted(List<byte[]> args) {
        String given = text(args.get(0));
        String name = given.toUpperCase(Locale.ROOT);
        if (!isDataWrite(name)) {
            return run(name, given, args);
        }
        long start = System.nanoTime();
        CompletableFuture<RedisMessage> reply;
        try {
            reply = run(name, given, args);
        } catch (RuntimeException | Error e) {
            admission.release(-1, false);
            throw e;
        }
        reply.whenComplete((message, failure) -> admission.release(System.nanoTime() - start,
                failure == null && !(message instanceof io.netty.handler.codec.redis.ErrorRedisMessage)));
        return reply;
    }

    /** Whether {@code args} is a data write, which takes an admission slot. */
    static boolean needsAdmission(List<byte[]> args) {
        byte[] name = args.get(0);
        for (String write : DATA_WRITES) { // compared in place: asked for every command, before it runs
            if (equalsIgnoreAsciiCase(name, write)) {
                return true;
            }
        }
        return false;
    }

    /** The data writes that admission bounds, as {@link #isDataWrite} names them. */
    private static final String[] DATA_WRITES = {"SET", "DEL", "INCR", "INCRBY", "MSET", "CAS"};

    private static boolean equalsIgnoreAsciiCase(byte[] bytes, String upper) {
        if (bytes.length != upper.length()) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] >= 'a' && bytes[i] <= 'z' ? bytes[i] - 32 : bytes[i];
            if (b != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The {@code -TRYAGAIN} answer to a write admission refused (counted: connections pause reading). */
    RedisMessage refusal() {
        writesRefused.incrementAndGet();
        return RespReplies.error("TRYAGAIN busy: " + admission.inFlight() + " writes in flight (limit "
                + admission.limit() + "); retry in " + admission.retryAfterMillis() + " ms");
    }

    /** The writes of data that admission bounds (not admin commands: those must get through). */
    private static boolean isDataWrite(String name) {
        return switch (name) {
            case "SET", "DEL", "INCR", "INCRBY", "MSET", "CAS" -> true;
            default -> false;
        };
    }

    /**
     * How long a data write may wait at a connection's door for an admission slot before it is refused:
     * a quarter of the command timeout, so a write admitted late still has most of it to commit.
     */
    long doorWaitNanos() {
        return timeoutMillis * 1_000_000L / 4;
    }

    /** Writes refused at the door so far. */
    long writesRefused() {
        return writesRefused.get();
    }

    /** How long a refused client should wait before it retries, in ms. */
    long retryAfterMillis() {
        return admission.retryAfterMillis();
    }

    /** The writes {@link WriteAdmission} admits now (for status and tests). */
    WriteAdmission admission() {
        return admission;
    }

    private CompletableFuture<RedisMessage> run(String name, String given, List<byte[]> args) {
        int n = args.size();
        return switch (name) {
            case "PING" -> n > 2 ? arity(given) : ping(n == 2 ? args.get(1) : null);
            case "ECHO" -> n == 2 ? done(RespReplies.bulk(args.get(1))) : arity(given);
            case "GET" -> n == 2 ? read(groups.groupOf(args.get(1)), KvCodec.get(args.get(1))) : arity(given);
            case "SET" -> n >= 3 ? set(args) : arity(given);
            case "DEL" -> n >= 2 ? keysWrite(args.subList(1, n), KvCodec::del) : arity(given);
            case "EXISTS" -> n >= 2 ? keysRead(args.subList(1, n), KvCodec::exists) : arity(given);
            case "INCR" -> n == 2 ? write(groups.groupOf(args.get(1)), KvCodec.incrBy(args.get(1), 1))
                    : arity(given);
            case "INCRBY" -> n == 3 ? incrBy(args.get(1), args.get(2)) : arity(given);
            case "MGET" -> n >= 2 ? keysRead(args.subList(1, n), KvCodec::mget) : arity(given);
            case "MSET" -> n >= 3 && n % 2 == 1 ? mset(args.subList(1, n)) : arity(given);
            case "CAS" -> n == 4 ? write(groups.groupOf(args.get(1)), KvCodec.cas(args.get(1), args.get(2),
                    args.get(3))) : arity(given);
            case "XFER" -> n == 4 ? xfer(args.get(1), args.get(2), args.get(3)) : arity(given);
            case "DBSIZE" -> n == 1 ? dbsize() : arity(given);
            case "INFO" -> n <= 2 ? done(RespReplies.bulk(info(n == 2 ? text(args.get(1)) : null))) : arity(given);
            case "CONFIG" -> config(args);
            case "RAFT.STATUS" -> raftStatus(args, given);
            case "RAFT.TRANSFER" -> raftTransfer(args, given);
            case "RAFT.SNAPSHOT" -> raftSnapshot(args, given);
            case "RAFT.ADDLEARNER" -> membership(args, given, MembershipEdits::addLearner);
            case "RAFT.PROMOTE" -> membership(args, given, MembershipEdits::promote);
            case "RAFT.REMOVE" -> membership(args, given, MembershipEdits::remove);
            default -> done(unknown(given, args));
        };
    }

    /** The reply to a multi-key command whose keys are in different groups. */
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same group; "
            + "keys sharing a {hash tag} do";

    /** A write of {@code keys} (at least one), all of which must be in one group. */
    private CompletableFuture<RedisMessage> keysWrite(List<byte[]> keys, Function<List<byte[]>, byte[]> encode) {
        int group = KeyGroups.commonGroup(keys, groups.count());
        return group == 0 ? done(RespReplies.error(CROSSSLOT)) : write(group, encode.apply(keys));
    }

    /** A read of {@code keys} (at least one), all of which must be in one group. */
    private CompletableFuture<RedisMessage> keysRead(List<byte[]> keys, Function<List<byte[]>, byte[]> encode) {
        int group = KeyGroups.commonGroup(keys, groups.count());
        return group == 0 ? done(RespReplies.error(CROSSSLOT)) : read(group, encode.apply(keys));
    }

    /** {@code MSET key value ...}: every key in one group. */
    private CompletableFuture<RedisMessage> mset(List<byte[]> pairs) {
        List<byte[]> keys = new ArrayList<>(pairs.size() / 2);
        for (int i = 0; i < pairs.size(); i += 2) {
            keys.add(pairs.get(i));
        }
        int group = KeyGroups.commonGroup(keys, groups.count());
        return group == 0 ? done(RespReplies.error(CROSSSLOT)) : write(group, KvCodec.mset(pairs));
    }

    /**
     * {@code DBSIZE}: with one group a linearizable count; with several, the sum of every group's
     * linearizable count, read concurrently (so not one snapshot of all groups). If a group's read
     * fails, its error reply is the answer.
     */
    private CompletableFuture<RedisMessage> dbsize() {
        if (groups.count() == 1) {
            return read(1, KvCodec.dbsize());
        }
        List<CompletableFuture<RedisMessage>> counts = new ArrayList<>(groups.count());
        for (int g = 1; g <= groups.count(); g++) {
            counts.add(read(g, KvCodec.dbsize()));
        }
        return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            long total = 0;
            for (CompletableFuture<RedisMessage> count : counts) {
                RedisMessage reply = count.join(); // complete, never failed
                if (!(reply instanceof IntegerRedisMessage integer)) {
                    return reply;
                }
                total += integer.value();
            }
            return new IntegerRedisMessage(total);
        });
    }

    private String info(String section) {
        return groups.hosted() ? StatusText.info(section, groups) : StatusText.info(section, groups.node(1).status());
    }

    /** {@code RAFT.STATUS}: this node's status; with several groups, the host's and one line per group. */
    private CompletableFuture<RedisMessage> raftStatus(List<byte[]> args, String given) {
        if (args.size() == 1) {
            return done(RespReplies.bulk(groups.hosted() ? StatusText.groups(groups)
                    : StatusText.raft(groups.node(1).status())));
        }
        if (args.size() == 2 && groups.hosted()) { // RAFT.STATUS <group>: that group in full
            return inGroup(args.get(1), g -> done(RespReplies.bulk(StatusText.raft(groups.node(g).status()))));
        }
        return arity(given);
    }

    /** {@code RAFT.TRANSFER <node-id>}; with several groups {@code RAFT.TRANSFER <node-id> <group>}. */
    private CompletableFuture<RedisMessage> raftTransfer(List<byte[]> args, String given) {
        if (!groups.hosted()) {
            return args.size() == 2 ? transfer(1, args.get(1)) : arity(given);
        }
        return switch (args.size()) {
            case 2 -> done(needsGroup("RAFT.TRANSFER <node-id> <group>"));
            case 3 -> inGroup(args.get(2), g -> transfer(g, args.get(1)));
            default -> arity(given);
        };
    }

    /** {@code RAFT.SNAPSHOT}; with several groups {@code RAFT.SNAPSHOT <group>}. */
    private CompletableFuture<RedisMessage> raftSnapshot(List<byte[]> args, String given) {
        if (!groups.hosted()) {
            return args.size() == 1 ? snapshot(1) : arity(given);
        }
        return switch (args.size()) {
            case 1 -> done(needsGroup("RAFT.SNAPSHOT <group>"));
            case 2 -> inGroup(args.get(1), this::snapshot);
            default -> arity(given);
        };
    }

    /** Runs {@code command} on the group {@code arg} names, or answers {@code -ERR} if it names none. */
    private CompletableFuture<RedisMessage> inGroup(byte[] arg, IntFunction<CompletableFuture<RedisMessage>> command) {
        Long group = KvStateMachine.parseLong(arg);
        if (group == null || group < 1 || group > groups.count()) {
            return done(RespReplies.error("ERR no group '" + text(arg) + "': the groups are 1.." + groups.count()));
        }
        return command.apply(group.intValue());
    }

    private static RedisMessage needsGroup(String usage) {
        return RespReplies.error("ERR with --groups above 1 name the group: " + usage);
    }

    private CompletableFuture<RedisMessage> membership(List<byte[]> args, String given, MembershipEdits.Edit edit) {
        if (args.size() != 2) {
            return arity(given);
        }
        if (groups.hosted()) {
            return done(RespReplies.error("ERR " + given.toUpperCase(Locale.ROOT) + " is not supported with "
                    + "--groups above 1: a host is a member of every group, and its membership changes for "
                    + "all of them"));
        }
        return changeMembership(args.get(1), edit);
    }

    private CompletableFuture<RedisMessage> set(List<byte[]> args) {
        int flags = 0;
        for (int i = 3; i < args.size(); i++) {
            String option = text(args.get(i)).toUpperCase(Locale.ROOT);
            if (option.equals("NX")) {
                flags |= KvCodec.NX;
            } else if (option.equals("XX")) {
                flags |= KvCodec.XX;
            } else {
                return done(RespReplies.error("ERR syntax error"));
            }
        }
        if (flags == (KvCodec.NX | KvCodec.XX)) {
            return done(RespReplies.error("ERR syntax error"));
        }
        return write(groups.groupOf(args.get(1)), KvCodec.set(args.get(1), args.get(2), flags));
    }

    /**
     * {@code XFER src dst amount} ({@code --groups} above 1): runs in {@code src}'s group ({@link KvTransfers});
     * {@code :1} once {@code src} is debited (the credit to {@code dst} follows exactly once through the
     * group's outbox when {@code dst} is in another group), {@code :0} if the balance is short.
     */
    private CompletableFuture<RedisMessage> xfer(byte[] src, byte[] dst, byte[] amount) {
        if (!groups.messaging()) {
            return done(RespReplies.error("ERR XFER needs --groups above 1 (transfers between groups go through"
                    + " their outboxes)"));
        }
        Long parsed = KvStateMachine.parseLong(amount);
        if (parsed == null || parsed <= 0) {
            return done(RespReplies.of(KvTransfers.AMOUNT));
        }
        return write(groups.groupOf(src), KvCodec.xfer(src, dst, parsed));
    }

    private CompletableFuture<RedisMessage> incrBy(byte[] key, byte[] delta) {
        Long parsed = KvStateMachine.parseLong(delta);
        return parsed == null ? done(RespReplies.of(KvStateMachine.NOT_AN_INTEGER))
                : write(groups.groupOf(key), KvCodec.incrBy(key, parsed));
    }

    /**
     * {@code PONG} (or the message), unless a Raft node of this process has stopped (fail-stop or
     * closed): then an error naming it, so a health check that pings sees a dead node as dead.
     */
    private CompletableFuture<RedisMessage> ping(byte[] message) {
        for (int g = 1; g <= groups.count(); g++) {
            io.ringraft.api.RaftStatus status = groups.node(g).status();
            if (status.role() == io.ringraft.api.Role.FAILED || status.closed()) {
                return done(RespReplies.error("ERR node " + status.nodeId() + " of group " + status.groupId()
                        + (status.failure() != null ? " fail-stopped: " + status.failure() : " is closed")));
            }
        }
        return done(message == null ? PONG : RespReplies.bulk(message));
    }

    private CompletableFuture<RedisMessage> write(int group, byte[] command) {
        if (command.length > maxCommandBytes) {
            return done(RespReplies.error("ERR command of " + command.length
                    + " bytes exceeds the largest log entry (" + maxCommandBytes + " bytes)"));
        }
        CompletableFuture<Object> proposal;
        try {
            // Half the command's time to learn whether the leader took it (a definite -TRYAGAIN if not),
            // the other half for a command it took to commit and apply. Framed as the group's state machine
            // expects (a plain session command; inside a messaging envelope with --groups).
            WriteRouter router = groups.router(group);
            proposal = router.propose(router.frame(command), java.time.Duration.ofMillis(Math.max(1, timeoutMillis / 2)));
        } catch (RuntimeException e) {
            return done(RespReplies.writeFailure(e));
        }
        return proposal.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((result, failure) -> failure == null ? RespReplies.of(result)
                        : RespReplies.writeFailure(failure));
    }

    private CompletableFuture<RedisMessage> read(int group, byte[] query) {
        CompletableFuture<RedisMessage> reply = new CompletableFuture<>();
        read(groups.node(group), query, reply, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        return reply;
    }

    /**
     * A read has no effect, so one that failed because no leader confirmed it in time or too many
     * were in flight is retried here, a little later, until the deadline; then {@code -TRYAGAIN}.
     */
    private void read(RaftNode self, byte[] query, CompletableFuture<RedisMessage> reply, long deadline) {
        long left = deadline - System.nanoTime();
        self.read(query).orTimeout(Math.max(1, left), TimeUnit.NANOSECONDS).whenComplete((result, failure) -> {
            if (failure == null) {
                reply.complete(RespReplies.of(result));
                return;
            }
            Throwable cause = RespReplies.unwrap(failure);
            boolean retry = (cause instanceof NotLeaderException || cause instanceof RejectedException)
                    && deadline - System.nanoTime() > READ_RETRY_DELAY_MILLIS * 1_000_000L;
            if (retry) {
                CompletableFuture.delayedExecutor(READ_RETRY_DELAY_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(() -> read(self, query, reply, deadline));
            } else {
                reply.complete(RespReplies.readFailure(failure));
            }
        });
    }

    private CompletableFuture<RedisMessage> transfer(int group, byte[] target) {
        Long id = KvStateMachine.parseLong(target);
        if (id == null || id <= 0) {
            return done(RespReplies.error("ERR node id must be a positive integer"));
        }
        return groups.router(group).transferLeadership(id).orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((ignored, failure) -> {
                    if (failure == null) {
                        return RespReplies.OK;
                    }
                    Throwable cause = RespReplies.unwrap(failure);
                    if (cause instanceof RejectedException || cause instanceof LeaderElsewhereException) {
                        return RespReplies.error("ERR " + cause.getMessage());
                    }
                    if (cause instanceof RaftException) {
                        return RespReplies.error("TRYAGAIN " + cause.getMessage());
                    }
                    if (cause instanceof TimeoutException) {
                        return RespReplies.error("UNCERTAIN the transfer did not complete in time");
                    }
                    return RespReplies.error("ERR " + cause);
                });
    }

    private CompletableFuture<RedisMessage> changeMembership(byte[] node, MembershipEdits.Edit edit) {
        Long id = KvStateMachine.parseLong(node);
        if (id == null || id <= 0) {
            return done(RespReplies.error("ERR node id must be a positive integer"));
        }
        UnaryOperator<Membership> change = current -> edit.apply(current, id);
        CompletableFuture<Void> future;
        try {
            future = groups.router(1).changeMembership(change);
        } catch (RuntimeException e) {
            return done(MembershipEdits.failureReply(e));
        }
        return future.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((ignored, failure) -> failure == null ? RespReplies.OK : MembershipEdits.failureReply(failure));
    }

    /**
     * Takes a snapshot on this node. Replies {@code [index, term]} of its last entry (everything
     * applied here when the command ran); {@code -TRYAGAIN} if it was not durable in time (it may
     * still complete: asking again waits for the same one) or the node stopped; {@code -ERR} if the
     * node takes no snapshots or writing it failed.
     */
    private CompletableFuture<RedisMessage> snapshot(int group) {
        return groups.node(group).takeSnapshot().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((last, failure) -> {
                    if (failure == null) {
                        return snapshotReply(last);
                    }
                    Throwable cause = RespReplies.unwrap(failure);
                    if (cause instanceof TimeoutException) {
                        return RespReplies.error("TRYAGAIN the snapshot was not durable in time; it may still be");
                    }
                    if (cause instanceof NodeStoppedException) {
                        return RespReplies.error("TRYAGAIN " + cause.getMessage());
                    }
                    return RespReplies.error("ERR snapshot failed: " + cause.getMessage());
                });
    }

    private static RedisMessage snapshotReply(LogId last) {
        return new ArrayRedisMessage(List.of(new IntegerRedisMessage(last.index()),
                new IntegerRedisMessage(last.term())));
    }

    private CompletableFuture<RedisMessage> config(List<byte[]> args) {
        if (args.size() < 2) {
            return arity("config");
        }
        String sub = text(args.get(1));
        if (!sub.equalsIgnoreCase("GET")) {
            return done(RespReplies.error("ERR unknown subcommand '" + sub + "'. Try CONFIG HELP."));
        }
        if (args.size() < 3) {
            return arity("config|get");
        }
        List<RedisMessage> pairs = new ArrayList<>();
        for (Map.Entry<String, String> entry : CONFIG.entrySet()) {
            for (byte[] pattern : args.subList(2, args.size())) {
                if (glob(text(pattern).toLowerCase(Locale.ROOT)).matcher(entry.getKey()).matches()) {
                    pairs.add(RespReplies.bulk(entry.getKey()));
                    pairs.add(RespReplies.bulk(entry.getValue()));
                    break;
                }
            }
        }
        return done(new ArrayRedisMessage(pairs));
    }

    private static RedisMessage unknown(String given, List<byte[]> args) {
        StringBuilder message = new StringBuilder("ERR unknown command '")
                .append(given, 0, Math.min(given.length(), 128))
                .append("', with args beginning with: ");
        for (byte[] arg : args.subList(1, Math.min(args.size(), 17))) {
            String shown = text(arg);
            message.append('\'').append(shown, 0, Math.min(shown.length(), 128)).append("' ");
        }
        return RespReplies.error(message.toString());
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }

    private static CompletableFuture<RedisMessage> arity(String command) {
        return done(RespReplies.wrongArity(command));
    }

    private static CompletableFuture<RedisMessage> done(RedisMessage reply) {
        return CompletableFuture.completedFuture(reply);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
