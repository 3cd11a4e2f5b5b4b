package io.ringraft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringraft.api.EntryKind;
import io.ringraft.message.HeapLogEntries;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class KvStateMachineTest {

    private final KvStateMachine kv = new KvStateMachine();
    private long nextIndex = 1;

    @Test
    void setHonoursNxAndXx() {
        assertThat(apply(KvCodec.set(b("k"), b("v1"), KvCodec.XX))).isNull();
        assertThat(apply(KvCodec.set(b("k"), b("v1"), KvCodec.NX))).isEqualTo(KvStateMachine.OK);
        assertThat(apply(KvCodec.set(b("k"), b("v2"), KvCodec.NX))).isNull();
        assertThat(s(query(KvCodec.get(b("k"))))).isEqualTo("v1");
        assertThat(apply(KvCodec.set(b("k"), b("v3"), KvCodec.XX))).isEqualTo(KvStateMachine.OK);
        assertThat(apply(KvCodec.set(b("k"), b("v4"), 0))).isEqualTo(KvStateMachine.OK);
        assertThat(s(query(KvCodec.get(b("k"))))).isEqualTo("v4");
        assertThat(query(KvCodec.get(b("missing")))).isNull();
    }

    @Test
    void delCountsRemovedKeysAndExistsCountsPresentOnes() {
        apply(KvCodec.mset(List.of(b("a"), b("1"), b("b"), b("2"), b("c"), b("3"))));
        assertThat(query(KvCodec.exists(List.of(b("a"), b("a"), b("x"))))).isEqualTo(2L);
        assertThat(apply(KvCodec.del(List.of(b("a"), b("b"), b("x"))))).isEqualTo(2L);
        assertThat(query(KvCodec.dbsize())).isEqualTo(1L);
        List<?> values = (List<?>) query(KvCodec.mget(List.of(b("a"), b("c"))));
        assertThat(values).hasSize(2);
        assertThat(values.get(0)).isNull();
        assertThat(s(values.get(1))).isEqualTo("3");
    }

    @Test
    void incrByParsesStoresAndRefusesNonIntegersAndOverflow() {
        assertThat(apply(KvCodec.incrBy(b("n"), 1))).isEqualTo(1L);
        assertThat(apply(KvCodec.incrBy(b("n"), 41))).isEqualTo(42L);
        assertThat(apply(KvCodec.incrBy(b("n"), -50))).isEqualTo(-8L);
        assertThat(s(query(KvCodec.get(b("n"))))).isEqualTo("-8");
        apply(KvCodec.set(b("t"), b("text"), 0));
        assertThat(apply(KvCodec.incrBy(b("t"), 1))).isEqualTo(KvStateMachine.NOT_AN_INTEGER);
        apply(KvCodec.set(b("big"), b(Long.toString(Long.MAX_VALUE)), 0));
        assertThat(apply(KvCodec.incrBy(b("big"), 1))).isEqualTo(KvStateMachine.OVERFLOW);
        assertThat(s(query(KvCodec.get(b("big"))))).isEqualTo(Long.toString(Long.MAX_VALUE));
        apply(KvCodec.set(b("plus"), b("+5"), 0));
        assertThat(apply(KvCodec.incrBy(b("plus"), 1))).isEqualTo(KvStateMachine.NOT_AN_INTEGER);
    }

    @Test
    void casSwapsOnlyAnExactMatch() {
        assertThat(apply(KvCodec.cas(b("k"), b(""), b("x")))).isEqualTo(0L); // a missing key never matches
        apply(KvCodec.set(b("k"), b("old"), 0));
        assertThat(apply(KvCodec.cas(b("k"), b("ol"), b("new")))).isEqualTo(0L);
        assertThat(apply(KvCodec.cas(b("k"), b("old"), b("new")))).isEqualTo(1L);
        assertThat(s(query(KvCodec.get(b("k"))))).isEqualTo("new");
    }

    @Test
    void keysAndValuesAreArbitraryBytes() {
        byte[] key = {(byte) 0xff, 0, (byte) 0x80, '\r', '\n'};
        byte[] value = {0, (byte) 0xc3, (byte) 0x28};
        apply(KvCodec.set(key, value, 0));
        assertThat((byte[]) query(KvCodec.get(key))).isEqualTo(value);
        assertThat(query(KvCodec.get(new byte[] {(byte) 0xff, 0, (byte) 0x80}))).isNull();
    }

    @Test
    void malformedMessagesAreErrorsThatChangeNothing() {
        byte[] set = KvCodec.set(b("k"), b("v"), 0);
        assertThat(apply(Arrays.copyOf(set, set.length - 1))).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(apply(Arrays.copyOf(set, set.length + 1))).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(apply(new byte[] {0x7f})).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(apply(new byte[0])).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(apply(new byte[] {KvCodec.DEL, 0x7f, 0, 0, 0})).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(query(new byte[] {KvCodec.GET, 0, 0})).isEqualTo(KvStateMachine.MALFORMED);
        assertThat(query(KvCodec.dbsize())).isEqualTo(0L);
        Random random = new Random(8);
        for (int i = 0; i < 10_000; i++) {
            byte[] junk = new byte[random.nextInt(24)];
            random.nextBytes(junk);
            apply(junk); // never throws (an exception would stop the node)
            query(junk);
        }
    }

    @Test
    void aBatchGetsOneResultPerEntryAndTheSameCommandsGiveTheSameState() {
        List<byte[]> commands = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] key = b("k" + random.nextInt(20));
            commands.add(switch (random.nextInt(5)) {
                case 0 -> KvCodec.set(key, b("v" + random.nextInt(5)), random.nextInt(3));
                case 1 -> KvCodec.del(List.of(key));
                case 2 -> KvCodec.incrBy(key, random.nextInt(10));
                case 3 -> KvCodec.mset(List.of(key, b(Integer.toString(random.nextInt(9)))));
                default -> KvCodec.cas(key, b("v" + random.nextInt(5)), b("v" + random.nextInt(5)));
            });
        }
        KvStateMachine one = new KvStateMachine();
        KvStateMachine other = new KvStateMachine();
        Object[] batched = applyBatch(one, commands);
        Object[] single = new Object[commands.size()];
        for (int i = 0; i < commands.size(); i++) {
            single[i] = applyBatch(other, List.of(commands.get(i)))[0];
        }
        assertThat(batched).hasSize(commands.size());
        for (int i = 0; i < 20; i++) {
            byte[] key = b("k" + i);
            Object a = one.query(new UnsafeBuffer(KvCodec.get(key)), 0, KvCodec.get(key).length);
            Object c = other.query(new UnsafeBuffer(KvCodec.get(key)), 0, KvCodec.get(key).length);
            assertThat(a == null ? null : s(a)).isEqualTo(c == null ? null : s(c));
        }
        for (int i = 0; i < commands.size(); i++) {
            Object x = batched[i];
            Object y = single[i];
            assertThat(x instanceof byte[] ? s(x) : x).isEqualTo(y instanceof byte[] ? s(y) : y);
        }
    }

    private Object apply(byte[] command) {
        return applyBatch(kv, List.of(command))[0];
    }

    private Object[] applyBatch(KvStateMachine machine, List<byte[]> commands) {
        HeapLogEntries.Builder entries = HeapLogEntries.builder(nextIndex);
        commands.forEach(c -> entries.add(1, EntryKind.COMMAND, c));
        nextIndex += commands.size();
        Object[] results = new Object[commands.size()];
        machine.apply(entries.build(), (offset, result) -> results[offset] = result);
        return results;
    }

    private Object query(byte[] query) {
        byte[] padded = new byte[query.length + 6];
        System.arraycopy(query, 0, padded, 3, query.length); // a query at an offset in a larger buffer
        return kv.query(new UnsafeBuffer(padded), 3, query.length);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }
}
