package io.ringraft.examples.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The partition shapes of the healing tests, as the directed links ({@code from}, {@code to}) a
 * {@link ProxiedKvCluster} blocks, over a permutation {@code p} of the node ids (at least 3 nodes;
 * halves and bridge want 5):
 * <ul>
 *   <li>{@link #ISOLATE}: {@code p[0]} alone, cut both ways from everyone;
 *   <li>{@link #HALVES}: {@code p[0..1]} apart from the rest;
 *   <li>{@link #BRIDGE}: {@code p[0..1]} and {@code p[3..]} cannot talk, {@code p[2]} talks to both;
 *   <li>{@link #ONE_WAY_IN}: nobody's messages reach {@code p[0]}, its own reach everyone;
 *   <li>{@link #ONE_WAY_OUT}: {@code p[0]}'s messages reach nobody, everyone's reach it.
 * </ul>
 * A proxy sees connections, not messages, so "one way" means the connections one node opens (which
 * carry every message it sends) are blocked while those it accepts are not.
 */
enum PartitionShape {
    ISOLATE, HALVES, BRIDGE, ONE_WAY_IN, ONE_WAY_OUT;

    /** The blocked links, each {@code {from, to}}. */
    List<long[]> links(List<Long> p) {
        List<long[]> blocked = new ArrayList<>();
        switch (this) {
            case ISOLATE -> between(p.subList(0, 1), p.subList(1, p.size()), blocked);
            case HALVES -> between(p.subList(0, 2), p.subList(2, p.size()), blocked);
            case BRIDGE -> between(p.subList(0, 2), p.subList(3, p.size()), blocked);
            case ONE_WAY_IN -> {
                for (long other : p.subList(1, p.size())) {
                    blocked.add(new long[] {other, p.get(0)});
                }
            }
            case ONE_WAY_OUT -> {
                for (long other : p.subList(1, p.size())) {
                    blocked.add(new long[] {p.get(0), other});
                }
            }
        }
        return blocked;
    }

    private static void between(List<Long> a, List<Long> b, List<long[]> blocked) {
        for (long x : a) {
            for (long y : b) {
                blocked.add(new long[] {x, y});
                blocked.add(new long[] {y, x});
            }
        }
    }
}
