/**
 * Ready-made parts for running nodes inside one JVM: an in-process network ({@code LocalNetwork}) and
 * an in-memory log storage, for tests, examples and single-JVM clusters. Not durable.
 */
package io.ringraft.local;
