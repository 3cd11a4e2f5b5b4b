package io.ringraft.net.netty.internal.channel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Node id to address: a map shared by all groups, and optional per-group maps that take precedence
 * for their group. Thread-safe; changes apply to the next send.
 */
final class AddressBook {

    private final Map<Long, PeerAddress> shared = new ConcurrentHashMap<>();
    private final Map<Long, Map<Long, PeerAddress>> groups = new ConcurrentHashMap<>();

    void put(long nodeId, PeerAddress address) {
        shared.put(nodeId, address);
    }

    void put(long groupId, long nodeId, PeerAddress address) {
        groups.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).put(nodeId, address);
    }

    void remove(long nodeId) {
        shared.remove(nodeId);
    }

    void remove(long groupId, long nodeId) {
        Map<Long, PeerAddress> group = groups.get(groupId);
        if (group != null) {
            group.remove(nodeId);
        }
    }

    /** Where node {@code nodeId} of group {@code groupId} listens, or null if unknown. */
    PeerAddress lookup(long groupId, long nodeId) {
        Map<Long, PeerAddress> group = groups.get(groupId);
        if (group != null) {
            PeerAddress address = group.get(nodeId);
            if (address != null) {
                return address;
            }
        }
        return shared.get(nodeId);
    }

    /** True if some node of some group is mapped to {@code address}. */
    boolean contains(PeerAddress address) {
        if (shared.containsValue(address)) {
            return true;
        }
        for (Map<Long, PeerAddress> group : groups.values()) {
            if (group.containsValue(address)) {
                return true;
            }
        }
        return false;
    }

    /** Every address some node other than {@code self} is mapped to, in any map. */
    java.util.Set<PeerAddress> addressesExcept(long self) {
        java.util.Set<PeerAddress> addresses = new java.util.HashSet<>();
        shared.forEach((node, address) -> {
            if (node != self) {
                addresses.add(address);
            }
        });
        for (Map<Long, PeerAddress> group : groups.values()) {
            group.forEach((node, address) -> {
                if (node != self) {
                    addresses.add(address);
                }
            });
        }
        return addresses;
    }

    /** Every address {@code nodeId} is mapped to, in the shared map or in any group's map (usually one). */
    java.util.Set<PeerAddress> addressesOf(long nodeId) {
        java.util.Set<PeerAddress> addresses = new java.util.HashSet<>(2);
        PeerAddress address = shared.get(nodeId);
        if (address != null) {
            addresses.add(address);
        }
        for (Map<Long, PeerAddress> group : groups.values()) {
            address = group.get(nodeId);
            if (address != null) {
                addresses.add(address);
            }
        }
        return addresses;
    }

    /** True if {@code nodeId} appears in the shared map or in any group's map. */
    boolean isKnown(long nodeId) {
        if (shared.containsKey(nodeId)) {
            return true;
        }
        for (Map<Long, PeerAddress> group : groups.values()) {
            if (group.containsKey(nodeId)) {
                return true;
            }
        }
        return false;
    }
}
