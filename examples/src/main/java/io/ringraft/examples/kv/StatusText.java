package io.ringraft.examples.kv;

import io.ringraft.api.FollowerStatus;
import io.ringraft.api.HostStatus;
import io.ringraft.api.Membership;
import io.ringraft.api.RaftStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text of {@code INFO} and {@code RAFT.STATUS}: Redis INFO style, {@code field:value} lines; for a
 * process with several groups, the host's fields and one line per group ({@link #groups}).
 */
final class StatusText {

    private StatusText() {
    }

    /** {@code INFO [section]}: {@code server}, {@code raft}, or all of them; empty for an unknown section (as Redis). */
    static String info(String section, RaftStatus status) {
        String s = section == null ? "default" : section.toLowerCase(Locale.ROOT);
        boolean all = s.equals("default") || s.equals("all") || s.equals("everything");
        if (!all && !s.equals("server") && !s.equals("raft")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        if (all || s.equals("server")) {
            out.append("# Server\r\n")
                    .append("redis_version:7.0.0\r\n")
                    .append("ringraft_example:kv\r\n")
                    .append("redis_mode:standalone\r\n");
        }
        if (all || s.equals("raft")) {
            if (out.length() > 0) {
                out.append("\r\n");
            }
            out.append("# Raft\r\n").append(raft(status));
        }
        return out.toString();
    }

    /**
     * {@code INFO [section]} of a process with several groups ({@code --groups}): the {@code server}
     * section also says {@code ringraft_groups}; the {@code raft} section is {@link #groups}.
     */
    static String info(String section, GroupRoutes groups) {
        String s = section == null ? "default" : section.toLowerCase(Locale.ROOT);
        boolean all = s.equals("default") || s.equals("all") || s.equals("everything");
        if (!all && !s.equals("server") && !s.equals("raft")) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        if (all || s.equals("server")) {
            out.append("# Server\r\n")
                    .append("redis_version:7.0.0\r\n")
                    .append("ringraft_example:kv\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("ringraft_groups:").append(groups.count()).append("\r\n");
        }
        if (all || s.equals("raft")) {
            if (out.length() > 0) {
                out.append("\r\n");
            }
            out.append("# Raft\r\n").append(groups(groups));
        }
        return out.toString();
    }

    /**
     * The host and its groups, {@code field:value} lines: {@code raft_node_id}, {@code raft_groups} (the
     * key space's groups), {@code raft_groups_with_leader} (how many know a leader), the host's
     * {@code HostStatus} as {@code raft_host_groups} (groups it holds), {@code raft_host_leaders} (groups
     * it leads), {@code raft_host_workers}, {@code raft_host_io_threads}, {@code raft_host_reserved_bytes}
     * and {@code raft_host_memory_budget_bytes}; then one line per group,
     * {@code raft_group_<g>:role=<role>,leader_id=<id>,term=<t>,committed_index=<i>,applied_index=<i>,
     * last_log_index=<i>,snapshot_index=<i>,outbox_depth=<n>,outbox_oldest_age_ms=<ms>} ({@code leader_id=0}: no
     * leader known; the outbox fields, and {@code raft_outbox_depth} (the sum over the groups, as this host's
     * replicas see it), only for messaging groups).
     */
    static String groups(GroupRoutes groups) {
        List<RaftStatus> statuses = new ArrayList<>(groups.count());
        int withLeader = 0;
        for (int g = 1; g <= groups.count(); g++) {
            RaftStatus status = groups.node(g).status();
            statuses.add(status);
            if (status.leaderId() != 0) {
                withLeader++;
            }
        }
        HostStatus host = groups.host();
        StringBuilder out = new StringBuilder();
        line(out, "node_id", host.nodeId());
        line(out, "groups", groups.count());
        line(out, "groups_with_leader", withLeader);
        line(out, "host_groups", host.groups());
        line(out, "host_leaders", host.leaders());
        line(out, "host_workers", host.workers());
        line(out, "host_io_threads", host.ioThreads());
        line(out, "host_reserved_bytes", host.reservedBytes());
        line(out, "host_memory_budget_bytes", host.budgetBytes());
        if (groups.messaging()) {
            long depth = 0;
            for (int g = 1; g <= statuses.size(); g++) {
                depth += groups.outbox(g).depth();
            }
            line(out, "outbox_depth", depth);
        }
        for (int g = 1; g <= statuses.size(); g++) {
            RaftStatus st = statuses.get(g - 1);
            String outbox = "";
            if (groups.messaging()) {
                io.ringraft.messaging.OutboxStatus box = groups.outbox(g);
                outbox = ",outbox_depth=" + box.depth() + ",outbox_oldest_age_ms=" + box.oldestAgeMillis();
            }
            line(out, "group_" + g, "role=" + st.role().name().toLowerCase(Locale.ROOT)
                    + ",leader_id=" + st.leaderId()
                    + ",term=" + st.term()
                    + ",committed_index=" + st.committedIndex()
                    + ",applied_index=" + st.appliedIndex()
                    + ",last_log_index=" + st.lastLogId().index()
                    + ",snapshot_index=" + st.snapshotIndex()
                    + outbox);
        }
        return out.toString();
    }

    /**
     * Every field of {@link RaftStatus}, one {@code field:value} line each; the membership as
     * {@code raft_voters} and {@code raft_learners} (ids separated by commas, empty if none) and
     * {@code raft_membership_changing} (1 while a change is not yet committed); on the leader one line per
     * follower, {@code raft_follower_<id>:match_index=<index>,lag=<entries>} (as Redis lists its replicas),
     * after {@code raft_followers}, their number (0 on any other role).
     */
    static String raft(RaftStatus st) {
        StringBuilder out = new StringBuilder();
        line(out, "node_id", st.nodeId());
        line(out, "group_id", st.groupId());
        line(out, "role", st.role().name().toLowerCase(Locale.ROOT));
        line(out, "term", st.term());
        line(out, "leader_id", st.leaderId());
        line(out, "vote_term", st.vote().term());
        line(out, "voted_for", st.vote().votedFor());
        line(out, "last_log_term", st.lastLogId().term());
        line(out, "last_log_index", st.lastLogId().index());
        line(out, "accepted_seq", st.acceptedSeq());
        line(out, "submitted_index", st.submittedIndex());
        line(out, "flushed_seq", st.flushedSeq());
        line(out, "durable_index", st.durableIndex());
        line(out, "committed_index", st.committedIndex());
        line(out, "applied_index", st.appliedIndex());
        line(out, "snapshot_index", st.snapshotIndex());
        line(out, "purged_index", st.purgedIndex());
        line(out, "dropped_inbound", st.droppedInbound());
        line(out, "dropped_outbound", st.droppedOutbound());
        line(out, "failure", st.failure() == null ? "" : st.failure());
        line(out, "closed", st.closed() ? 1 : 0);
        Membership membership = st.membership();
        line(out, "voters", ids(membership.voters()));
        line(out, "learners", ids(membership.learners()));
        line(out, "membership_changing", membership.changing() ? 1 : 0);
        line(out, "ring_entries", st.ringEntries());
        line(out, "proposal_queue_bytes", st.proposalQueueBytes());
        line(out, "inbound_queue_size", st.inboundQueueSize());
        line(out, "followers", st.followers().size());
        for (FollowerStatus follower : st.followers()) {
            line(out, "follower_" + follower.nodeId(), "match_index=" + follower.matchIndex() + ",lag=" + follower.lag());
        }
        return out.toString();
    }

    private static String ids(Set<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static void line(StringBuilder out, String field, Object value) {
        out.append("raft_").append(field).append(':')
                .append(String.valueOf(value).replace('\r', ' ').replace('\n', ' ')).append("\r\n");
    }
}
