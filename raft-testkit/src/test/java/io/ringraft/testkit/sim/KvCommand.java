package io.ringraft.testkit.sim;

import io.ringraft.testkit.linearizability.KvInput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A KV operation as it travels through the log: the simulator's {@link CommandEnvelope} (a unique
 * operation id, so the checker can find each acknowledged write in the applied log) around the encoded
 * {@link KvInput} (what {@link KvStateMachine} applies).
 */
public record KvCommand(long opId, KvInput input) {

    /** Encodes to the bytes a node proposes: the envelope around {@link #encodeInput}. */
    public byte[] encode() {
        return CommandEnvelope.wrap(opId, encodeInput(input));
    }

    /** Decodes what {@link #encode()} wrote. */
    public static KvCommand decode(byte[] data) {
        return new KvCommand(CommandEnvelope.opId(data),
                decodeInput(java.util.Arrays.copyOfRange(data, CommandEnvelope.HEADER, data.length)));
    }

    /** The bytes of a KV operation, as the state machine applies them (and answers them as a query). */
    public static byte[] encodeInput(KvInput input) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (input instanceof KvInput.Put put) {
                out.writeByte(1);
                out.writeUTF(put.key());
                out.writeUTF(put.value());
            } else if (input instanceof KvInput.Get get) {
                out.writeByte(2);
                out.writeUTF(get.key());
            } else if (input instanceof KvInput.Cas cas) {
                out.writeByte(3);
                out.writeUTF(cas.key());
                out.writeBoolean(cas.expected() != null);
                out.writeUTF(cas.expected() == null ? "" : cas.expected());
                out.writeUTF(cas.newValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes what {@link #encodeInput} wrote. */
    public static KvInput decodeInput(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            byte type = in.readByte();
            return switch (type) {
                case 1 -> KvInput.put(in.readUTF(), in.readUTF());
                case 2 -> KvInput.get(in.readUTF());
                case 3 -> {
                    String key = in.readUTF();
                    boolean hasExpected = in.readBoolean();
                    String expected = in.readUTF();
                    yield KvInput.cas(key, hasExpected ? expected : null, in.readUTF());
                }
                default -> throw new IllegalArgumentException("unknown KV command type " + type);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
