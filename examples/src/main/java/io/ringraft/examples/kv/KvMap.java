package io.ringraft.examples.kv;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The KV store's map ({@code String} keys, one char per byte; {@code byte[]} values), with
 * point-in-time views for snapshots that cost O(1) to take: copy-on-write by layers.
 *
 * <p>Normally every change goes to one {@link HashMap}, the base. {@link #freeze()} hands out a
 * {@link View} of the base as it is and from then on leaves the base untouched: changes go to an
 * overlay map (a removal is a tombstone there), which lookups consult first. Once the view was
 * written ({@link View#release()}, from the snapshot thread), the next change folds the overlay into
 * the base, which is private again.
 *
 * <p><b>Costs.</b> {@link #freeze()}: O(1), no copy. While a view is out: every change adds or
 * replaces an overlay entry, so memory grows with the keys changed meanwhile (not with the map), and a
 * lookup may take two hash lookups instead of one. After the view is released: one fold, O(keys
 * changed while it was out), on the next change. A view that is never released (its snapshot was
 * abandoned) makes the next {@code freeze()} copy the map once, O(n), so that a view is never changed
 * under its reader. Values are never modified in place (a change stores a new array), so views share
 * them with the map.
 *
 * <p><b>Threads.</b> Like the state machine: one thread at a time (the applier). A {@link View} may
 * be read by another thread (the snapshot thread) while that thread changes the map: the view's base
 * is not written until the view says it was released (a volatile write after its last read).
 */
final class KvMap {

    /** Marks a removed key in the overlay; compared by identity, never handed out. */
    private static final byte[] TOMBSTONE = new byte[0];

    /** Written only while {@link #overlay} is null. */
    private HashMap<String, byte[]> base = new HashMap<>();
    /** Changes since {@link #view} was taken, or null if no view holds {@link #base}. */
    private HashMap<String, byte[]> overlay;
    /** The view holding {@link #base}, or null. */
    private View view;
    private int size;

    /** A frozen map: what {@link #freeze()} saw, unchanged until {@link #release()} and after. */
    static final class View {
        private final Map<String, byte[]> entries;
        private volatile boolean released;

        private View(Map<String, byte[]> entries) {
            this.entries = Collections.unmodifiableMap(entries);
        }

        /** The entries, read only; valid until {@link #release()}. */
        Map<String, byte[]> entries() {
            return entries;
        }

        /** Says the entries are no longer read: the map may write them again. Idempotent. */
        void release() {
            released = true;
        }
    }

    byte[] get(String key) {
        if (overlay != null) {
            byte[] value = overlay.get(key);
            if (value != null) {
                return value == TOMBSTONE ? null : value;
            }
        }
        return base.get(key);
    }

    boolean containsKey(String key) {
        return get(key) != null;
    }

    int size() {
        return size;
    }

    void put(String key, byte[] value) {
        foldIfReleased();
        if (overlay == null) {
            if (base.put(key, value) == null) {
                size++;
            }
        } else {
            if (get(key) == null) {
                size++;
            }
            overlay.put(key, value);
        }
    }

    /** Removes {@code key}; true if it was there. */
    boolean remove(String key) {
        foldIfReleased();
        if (overlay == null) {
            if (base.remove(key) == null) {
                return false;
            }
        } else {
            if (get(key) == null) {
                return false;
            }
            if (base.containsKey(key)) {
                overlay.put(key, TOMBSTONE);
            } else {
                overlay.remove(key); // added after the freeze: the view never saw it
            }
        }
        size--;
        return true;
    }

    /**
     * A view of the map as it is now. The map stays usable; the view does not change until released.
     * O(1) unless an earlier view was never released (then O(n) once).
     */
    View freeze() {
        if (overlay != null) {
            if (view.released) {
                fold();
            } else {
                copy();
            }
        }
        view = new View(base);
        overlay = new HashMap<>();
        return view;
    }

    /**
     * Empties the map: the old entries are dropped at once (an outstanding view keeps its base for its
     * reader; it is never written again).
     */
    void clear() {
        base = new HashMap<>();
        overlay = null;
        view = null;
        size = 0;
    }

    /** Replaces the whole content with {@code entries} (which the map then owns). */
    void replace(HashMap<String, byte[]> entries) {
        base = entries;
        overlay = null;
        view = null; // an outstanding view keeps the old base, which is never written again
        size = entries.size();
    }

    private void foldIfReleased() {
        if (overlay != null && view.released) {
            fold();
        }
    }

    /** Moves the overlay's changes into the base, which no view reads any more. */
    private void fold() {
        overlay.forEach((key, value) -> {
            if (value == TOMBSTONE) {
                base.remove(key);
            } else {
                base.put(key, value);
            }
        });
        overlay = null;
        view = null;
    }

    /** Leaves the base to its unreleased view for good: continues on a merged copy. */
    private void copy() {
        HashMap<String, byte[]> merged = new HashMap<>(base);
        overlay.forEach((key, value) -> {
            if (value == TOMBSTONE) {
                merged.remove(key);
            } else {
                merged.put(key, value);
            }
        });
        base = merged;
        overlay = null;
        view = null;
    }
}
