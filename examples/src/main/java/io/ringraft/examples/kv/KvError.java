package io.ringraft.examples.kv;

/**
 * A command's or query's error result, deterministic like every other result (the same command
 * fails the same way on every node). The RESP server sends it as an error reply.
 *
 * @param message the error text in Redis style, starting with its code, e.g. {@code "ERR ..."}
 */
public record KvError(String message) {
}
