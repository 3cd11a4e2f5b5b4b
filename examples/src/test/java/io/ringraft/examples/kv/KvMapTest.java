package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The copy-on-write layers of {@link KvMap}: what a view sees, what the map sees, and the size. */
class KvMapTest {

    private final KvMap map = new KvMap();

    @Test
    void changesWhileAViewIsOutAreVisibleToTheMapButNotToTheView() {
        map.put("a", b("1"));
        map.put("b", b("2"));
        KvMap.View view = map.freeze();

        assertThat(map.remove("a")).isTrue();        // a tombstone over the frozen entry
        assertThat(map.remove("a")).isFalse();
        assertThat(map.get("a")).isNull();
        map.put("a", b("again"));                    // replaces the tombstone
        map.put("c", b("3"));
        assertThat(map.remove("c")).isTrue();        // never in the view: simply dropped
        map.put("b", b("22"));
        map.put("d", b("4"));
        assertThat(map.size()).isEqualTo(3);
        assertThat(contents(map, "a", "b", "c", "d")).isEqualTo(Map.of("a", "again", "b", "22", "d", "4"));
        assertThat(text(view.entries())).isEqualTo(Map.of("a", "1", "b", "2"));

        view.release();
        assertThat(map.remove("b")).isTrue();        // folds first, then removes from the map itself
        assertThat(map.size()).isEqualTo(2);
        assertThat(contents(map, "a", "b", "c", "d")).isEqualTo(Map.of("a", "again", "d", "4"));

        KvMap.View second = map.freeze();
        assertThat(text(second.entries())).isEqualTo(Map.of("a", "again", "d", "4"));
    }

    @Test
    void aViewThatIsNeverReleasedIsLeftAloneForGood() {
        map.put("a", b("1"));
        KvMap.View abandoned = map.freeze();
        map.put("b", b("2"));
        KvMap.View next = map.freeze();              // copies, since the first still reads the map
        map.put("a", b("changed"));
        assertThat(map.remove("b")).isTrue();
        assertThat(text(next.entries())).isEqualTo(Map.of("a", "1", "b", "2"));
        next.release();                              // (its entries are the map's again)
        map.put("c", b("3"));
        assertThat(text(abandoned.entries())).isEqualTo(Map.of("a", "1"));
        assertThat(contents(map, "a", "b", "c")).isEqualTo(Map.of("a", "changed", "c", "3"));
        assertThat(map.size()).isEqualTo(2);
    }

    @Test
    void replaceDropsTheLayersButNotAnOutstandingView() {
        map.put("a", b("1"));
        KvMap.View view = map.freeze();
        map.put("b", b("2"));
        java.util.HashMap<String, byte[]> restored = new java.util.HashMap<>();
        restored.put("z", b("26"));
        map.replace(restored);
        map.put("y", b("25"));
        assertThat(contents(map, "a", "b", "y", "z")).isEqualTo(Map.of("y", "25", "z", "26"));
        assertThat(map.size()).isEqualTo(2);
        assertThat(text(view.entries())).isEqualTo(Map.of("a", "1"));
    }

    private static Map<String, String> contents(KvMap map, String... keys) {
        Map<String, String> out = new TreeMap<>();
        for (String key : keys) {
            byte[] value = map.get(key);
            assertThat(map.containsKey(key)).isEqualTo(value != null);
            if (value != null) {
                out.put(key, new String(value, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> text(Map<String, byte[]> entries) {
        Map<String, String> out = new TreeMap<>();
        entries.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
