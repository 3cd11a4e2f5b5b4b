package io.ringraft.internal.engine.membership;

import java.util.ArrayList;
import java.util.List;

/**
 * Which configuration is in force: the one in the newest {@code CONFIG} entry of the log, committed
 * or not (Raft's rule: a node uses a configuration as soon as it is in its log). Truncating that
 * entry away reverts to the one before. Entries at or below the commit index are folded into one
 * committed configuration, so only the uncommitted ones (at most two: joint, then final) are kept.
 * Owned by the engine; single-threaded.
 */
public final class MembershipLog {

    private ConfigEntry committed;
    private final List<ConfigEntry> uncommitted = new ArrayList<>(4);

    public MembershipLog(ConfigEntry initial, List<ConfigEntry> inLog) {
        this.committed = initial;
        for (ConfigEntry entry : inLog) {
            uncommitted.add(entry);
        }
    }

    /** The configuration in force. */
    public ConfigEntry current() {
        return uncommitted.isEmpty() ? committed : uncommitted.get(uncommitted.size() - 1);
    }

    /** A configuration entry was appended at {@code index}. */
    public void appended(long index, ClusterConfig config) {
        uncommitted.add(new ConfigEntry(index, config));
    }

    /**
     * Entries from {@code fromIndex} on were removed.
     *
     * @return true if the configuration in force changed
     */
    public boolean truncated(long fromIndex) {
        boolean changed = false;
        while (!uncommitted.isEmpty() && uncommitted.get(uncommitted.size() - 1).index() >= fromIndex) {
            uncommitted.remove(uncommitted.size() - 1);
            changed = true;
        }
        return changed;
    }

    /** The commit index rose: fold committed entries. */
    public void committedTo(long commitIndex) {
        while (!uncommitted.isEmpty() && uncommitted.get(0).index() <= commitIndex) {
            committed = uncommitted.remove(0);
        }
    }

    /**
     * A snapshot covering everything up to {@code index}, whose configuration is {@code config}, was
     * installed. Configuration entries at or below {@code index} are folded into it; later ones stay
     * only if the log after the snapshot was kept.
     *
     * @return true if the configuration in force changed
     */
    public boolean snapshotInstalled(long index, ClusterConfig config, boolean logKept) {
        ClusterConfig before = current().config();
        if (index >= committed.index()) {
            committed = new ConfigEntry(index, config);
        }
        if (logKept) {
            while (!uncommitted.isEmpty() && uncommitted.get(0).index() <= index) {
                uncommitted.remove(0);
            }
        } else {
            uncommitted.clear();
        }
        return !current().config().equals(before);
    }

    /** True if a configuration entry is not yet committed (a change is in progress). */
    public boolean changePending() {
        return !uncommitted.isEmpty();
    }

    /** The newest committed configuration entry. */
    ConfigEntry latestCommitted() {
        return committed;
    }
}
