/**
 * Quorum arithmetic of the engine: the commit index a set of match indexes allows and the outcome of
 * a vote, for a plain majority and for joint consensus (both majorities decide during a membership
 * change). Pure values and functions; used on the engine's thread.
 */
package io.ringraft.internal.engine.quorum;
