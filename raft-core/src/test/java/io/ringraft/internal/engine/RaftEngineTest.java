package io.ringraft.internal.engine;

import static io.ringraft.internal.engine.EngineTestSupport.ack;
import static io.ringraft.internal.engine.EngineTestSupport.append;
import static io.ringraft.internal.engine.EngineTestSupport.config;
import static io.ringraft.internal.engine.EngineTestSupport.propose;
import static io.ringraft.internal.engine.EngineTestSupport.id;
import static io.ringraft.internal.engine.EngineTestSupport.reject;
import static io.ringraft.internal.engine.EngineTestSupport.send;
import static io.ringraft.internal.engine.EngineTestSupport.vote;
import static io.ringraft.internal.engine.EngineTestSupport.voteRequest;
import static io.ringraft.internal.engine.EngineTestSupport.voteResponse;
import static io.ringraft.internal.engine.EngineTestSupport.voters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringraft.api.LogId;
import io.ringraft.api.Role;
import io.ringraft.internal.engine.EngineTestSupport.AppendNoop;
import io.ringraft.internal.engine.EngineTestSupport.AppendProposals;
import io.ringraft.internal.engine.EngineTestSupport.AppendReplicated;
import io.ringraft.internal.engine.EngineTestSupport.Committed;
import io.ringraft.internal.engine.EngineTestSupport.Event;
import io.ringraft.internal.engine.EngineTestSupport.Node;
import io.ringraft.internal.engine.EngineTestSupport.SaveVote;
import io.ringraft.internal.engine.EngineTestSupport.StateChanged;
import io.ringraft.internal.engine.EngineTestSupport.TruncateFrom;
import io.ringraft.message.AppendEntriesResponse;
import io.ringraft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact input/output tests of one {@link RaftEngine} (in the style of etcd's raft_paper_test): each
 * test feeds one input and asserts every call the engine makes on its output.
 */
class RaftEngineTest {

    private static final long[] THREE = voters(1, 2, 3);
    /** The leader's log of Raft Figure 7 (before the term-8 leader appends anything). */
    private static final long[] FIG7_LEADER = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};

    // ================================================================== elections

    @Nested
    class ElectionTimeout {

        @Test
        void withoutPreVoteAFollowerBecomesCandidateInTheNextTerm() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.tick(9);
            assertThat(n.drain()).isEmpty();

            n.tick(1);

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(3, 1)),
                    new StateChanged(Role.CANDIDATE, 3, 0),
                    send(voteRequest(1, 2, 3, id(2, 3), false)),
                    send(voteRequest(1, 3, 3, id(2, 3), false)));
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);
            assertThat(n.engine.term()).isEqualTo(3);
            assertThat(n.engine.vote()).isEqualTo(vote(3, 1));
        }

        @Test
        void withPreVoteAFollowerBecomesPreCandidateWithoutChangingItsTerm() {
            Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
            n.tick(10);

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.PRE_CANDIDATE, 2, 0),
                    send(voteRequest(1, 2, 3, id(2, 3), true)),
                    send(voteRequest(1, 3, 3, id(2, 3), true)));
            assertThat(n.engine.role()).isEqualTo(Role.PRE_CANDIDATE);
            assertThat(n.engine.term()).isEqualTo(2);
            assertThat(n.engine.vote()).isEqualTo(vote(2));
            assertThat(n.out.seqs()).isEmpty();
        }

        @Test
        void aPreCandidateThatWinsThePreVoteStartsARealElection() {
            Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.drain();

            n.engine.receive(voteResponse(2, 1, 3, true, true));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(3, 1)),
                    new StateChanged(Role.CANDIDATE, 3, 0),
                    send(voteRequest(1, 2, 3, id(2, 3), false)),
                    send(voteRequest(1, 3, 3, id(2, 3), false)));
        }

        @Test
        void aRejectedPreVoteLeavesTheTermAlone() {
            Node n = Node.create(config(1, THREE, true, false), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.drain();

            n.engine.receive(voteResponse(2, 1, 2, false, true));
            n.engine.receive(voteResponse(3, 1, 2, false, true));

            assertThat(n.drain()).containsExactly(new StateChanged(Role.FOLLOWER, 2, 0));
            assertThat(n.engine.vote()).isEqualTo(vote(2));
            assertThat(n.out.seqs()).isEmpty();
        }

        @Test
        void theTimeoutIsRandomizedWithinOneToTwoElectionTimeouts() {
            int timeout = 10;
            TreeSet<Integer> seen = new TreeSet<>();
            for (long seed = 0; seed < 200; seed++) {
                Node n = Node.create(config(1, THREE), new SplittableRandom(seed), vote(0), 0);
                int ticks = 0;
                while (n.engine.role() == Role.FOLLOWER && ticks < 2 * timeout) {
                    n.tick(1);
                    ticks++;
                    if (ticks < timeout) {
                        assertThat(n.drain()).as("seed %d tick %d", seed, ticks).isEmpty();
                    }
                }
                assertThat(n.engine.role()).as("seed %d", seed).isEqualTo(Role.CANDIDATE);
                assertThat(ticks).as("seed %d", seed).isBetween(timeout, 2 * timeout - 1);
                seen.add(ticks);
            }
            assertThat(seen).as("distinct timeouts drawn").hasSizeGreaterThanOrEqualTo(5);
        }

        @Test
        void aNodeThatIsNotAVoterNeverCampaigns() {
            Node n = Node.create(config(4, THREE), vote(0));
            n.tick(100);
            n.engine.campaign();
            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.FOLLOWER);
        }

        @Test
        void aMessageFromTheLeaderResetsTheTimer() {
            Node n = Node.create(config(1, THREE), vote(1), 1);
            n.tick(9);
            n.engine.receive(append(2, 1, 1, id(1, 1), 0));
            n.drain();

            n.tick(9);
            assertThat(n.drain()).isEmpty();
            n.tick(1);
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);
        }
    }

    @Nested
    class BecomingLeader {

        @Test
        void aQuorumOfGrantsWithADurableSelfVoteMakesALeaderThatAppendsANoopAndProbes() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.drain();
            n.engine.onFlushed(1); // own vote durable: counted
            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);

            n.engine.receive(voteResponse(2, 1, 3, true, false));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.LEADER, 3, 1),
                    new AppendNoop(2, id(3, 4)),
                    send(append(1, 2, 3, id(2, 3), 0, 3)),
                    send(append(1, 3, 3, id(2, 3), 0, 3)));
            assertThat(n.engine.role()).isEqualTo(Role.LEADER);
            assertThat(n.engine.leaderId()).isEqualTo(1);
            assertThat(n.engine.lastLogId()).isEqualTo(id(3, 4));
            assertThat(n.engine.commitIndex()).isZero();
        }

        @Test
        void aCandidateDoesNotLeadBeforeItsOwnVoteIsDurableEvenWithAQuorumOfPeerGrants() {
            // If it led with its term's vote still in flight, a crash could bring it back in the old
            // term, campaign for the same term again (its voters grant the duplicate request) and
            // lead that term a second time with a different log.
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.drain();

            n.engine.receive(voteResponse(2, 1, 3, true, false));
            n.engine.receive(voteResponse(3, 1, 3, true, false));

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);

            n.engine.onFlushed(1);

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.LEADER, 3, 1),
                    new AppendNoop(2, id(3, 4)),
                    send(append(1, 2, 3, id(2, 3), 0, 3)),
                    send(append(1, 3, 3, id(2, 3), 0, 3)));
        }

        @Test
        void aFlushReportOlderThanTheVoteDoesNotCountTheSelfVote() {
            Node n = Node.create(config(1, THREE), vote(1));
            n.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1)); // seq 1, not yet durable
            n.engine.campaign(); // vote for term 2 at seq 2
            n.engine.receive(voteResponse(3, 1, 2, true, false));
            n.drain();

            n.engine.onFlushed(1);

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);

            n.engine.onFlushed(2);

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.LEADER, 2, 1),
                    new AppendNoop(3, id(2, 2)),
                    send(append(1, 2, 2, id(1, 1), 0, 2)),
                    send(append(1, 3, 2, id(1, 1), 0, 2)));
        }

        @Test
        void aCandidateRejectedByAQuorumReturnsToFollowerInItsTerm() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.drain();

            n.engine.receive(voteResponse(2, 1, 3, false, false));
            assertThat(n.drain()).isEmpty();
            n.engine.receive(voteResponse(3, 1, 3, false, false));

            assertThat(n.drain()).containsExactly(new StateChanged(Role.FOLLOWER, 3, 0));
            assertThat(n.engine.vote()).isEqualTo(vote(3, 1));
        }

        @Test
        void aSingleVoterElectsItselfOnlyOnceItsVoteIsDurableAndCommitsOnlyOnceTheNoopIs() {
            Node n = Node.create(config(1, voters(1), true, true), vote(0));

            n.engine.campaign();

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.PRE_CANDIDATE, 0, 0),
                    new SaveVote(1, vote(1, 1)),
                    new StateChanged(Role.CANDIDATE, 1, 0));

            n.engine.onFlushed(1);

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.LEADER, 1, 1),
                    new AppendNoop(2, id(1, 1)));
            assertThat(n.engine.commitIndex()).isZero();

            n.engine.onFlushed(2);

            assertThat(n.drain()).containsExactly(new Committed(1));
            assertThat(n.engine.commitIndex()).isEqualTo(1);
        }

        @Test
        void aSingleVoterLeaderCommitsProposalsWhenTheyAreDurable() {
            Node n = Node.create(config(1, voters(1)), vote(0));
            n.electSelf();
            n.flushAll();
            n.drain();

            assertThat(propose(n.engine, 3)).isEqualTo(2);
            assertThat(n.drain()).containsExactly(new AppendProposals(3, 2, 1, 3));

            n.engine.onFlushed(3);
            assertThat(n.drain()).containsExactly(new Committed(4));
        }
    }

    @Nested
    class VoteGranting {

        private Node voter() {
            return Node.create(config(1, THREE), vote(2), 1, 1, 2);
        }

        @Test
        void aGrantToAnUpToDateCandidateIsSentOnlyOnceTheVoteIsDurable() {
            Node n = voter();

            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 0),
                    new SaveVote(2, vote(3, 2)));
            assertThat(n.engine.vote()).isEqualTo(vote(3, 2));

            n.engine.onFlushed(1);
            assertThat(n.drain()).isEmpty();

            n.engine.onFlushed(2);
            assertThat(n.drain()).containsExactly(send(voteResponse(1, 2, 3, true, false)));
        }

        @Test
        void aCandidateWithALongerLogOfTheSameLastTermIsGranted() {
            Node n = voter();
            n.engine.receive(voteRequest(2, 1, 3, id(2, 7), false));
            n.flushAll();
            assertThat(n.drain()).contains(send(voteResponse(1, 2, 3, true, false)));
        }

        @Test
        void rejectsACandidateWhoseLastTermIsLower() {
            Node n = voter();

            n.engine.receive(voteRequest(2, 1, 3, id(1, 5), false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 0),
                    send(voteResponse(1, 2, 3, false, false)));
            assertThat(n.engine.vote()).isEqualTo(vote(3));
        }

        @Test
        void rejectsACandidateWithTheSameLastTermButAShorterLog() {
            Node n = voter();

            n.engine.receive(voteRequest(2, 1, 3, id(2, 2), false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(3)),
                    new StateChanged(Role.FOLLOWER, 3, 0),
                    send(voteResponse(1, 2, 3, false, false)));
            assertThat(n.engine.vote()).isEqualTo(vote(3));
        }

        @Test
        void neverGrantsTwoCandidatesInOneTerm() {
            Node n = voter();
            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), false));
            n.flushAll();
            n.drain();

            n.engine.receive(voteRequest(3, 1, 3, id(2, 3), false));

            assertThat(n.drain()).containsExactly(send(voteResponse(1, 3, 3, false, false)));
            assertThat(n.engine.vote()).isEqualTo(vote(3, 2));
        }

        @Test
        void neverGrantsASecondCandidateEvenBeforeTheFirstGrantIsDurable() {
            Node n = voter();
            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), false));
            n.drain();

            n.engine.receive(voteRequest(3, 1, 3, id(2, 3), false));
            assertThat(n.drain()).containsExactly(send(voteResponse(1, 3, 3, false, false)));

            n.flushAll();
            assertThat(n.drain()).containsExactly(send(voteResponse(1, 2, 3, true, false)));
        }

        @Test
        void grantsADuplicateRequestFromTheSameCandidateAgainWithoutAnotherWrite() {
            Node n = voter();
            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), false));
            n.flushAll();
            n.drain();

            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), false));

            assertThat(n.drain()).containsExactly(send(voteResponse(1, 2, 3, true, false)));
        }

        @Test
        void aStaleVoteRequestIsRejectedWithTheVotersTerm() {
            Node n = voter();

            n.engine.receive(voteRequest(2, 1, 1, id(2, 3), false));

            assertThat(n.drain()).containsExactly(send(voteResponse(1, 2, 2, false, false)));
            assertThat(n.engine.vote()).isEqualTo(vote(2));
        }

        @Test
        void aPreVoteIsGrantedWithoutAnyWriteOrTermChange() {
            Node n = voter();

            n.engine.receive(voteRequest(2, 1, 3, id(2, 3), true));

            assertThat(n.drain()).containsExactly(send(voteResponse(1, 2, 3, true, true)));
            assertThat(n.engine.vote()).isEqualTo(vote(2));
        }
    }

    // ================================================================== term rules

    @Nested
    class TermRules {

        /** Node 1 leading term 3 over log [1,1,2,3]; vote (seq 1) durable, no-op (seq 2) not. */
        private Node leaderOfTerm3() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.electSelf();
            assertThat(n.engine.term()).isEqualTo(3);
            return n;
        }

        @Test
        void aLeaderStepsDownOnAnAppendEntriesResponseWithAHigherTerm() {
            Node n = leaderOfTerm3();

            n.engine.receive(reject(2, 1, 5, 3, id(2, 3)));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(3, vote(5)),
                    new StateChanged(Role.FOLLOWER, 5, 0));
            assertThat(n.engine.role()).isEqualTo(Role.FOLLOWER);
            assertThat(n.engine.term()).isEqualTo(5);
        }

        @Test
        void aLeaderStepsDownOnAVoteResponseWithAHigherTerm() {
            Node n = leaderOfTerm3();

            n.engine.receive(voteResponse(2, 1, 5, false, false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(3, vote(5)),
                    new StateChanged(Role.FOLLOWER, 5, 0));
            assertThat(n.engine.role()).isEqualTo(Role.FOLLOWER);
        }

        @Test
        void aLeaderStepsDownOnAnAppendEntriesRequestWithAHigherTermAndFollowsItsSender() {
            Node n = leaderOfTerm3();

            n.engine.receive(append(3, 1, 5, id(2, 3), 0));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(3, vote(5)),
                    new StateChanged(Role.FOLLOWER, 5, 3),
                    send(ack(1, 3, 5, 3)));
            assertThat(n.engine.role()).isEqualTo(Role.FOLLOWER);
            assertThat(n.engine.leaderId()).isEqualTo(3);
        }

        @Test
        void aStaleAppendEntriesRequestIsRejectedWithTheReceiversTermAndChangesNothing() {
            Node n = Node.create(config(1, THREE), vote(5), 1, 1, 2);

            n.engine.receive(append(2, 1, 3, id(2, 3), 0, 3));

            assertThat(n.drain()).containsExactly(send(reject(1, 2, 5, 3, id(2, 3))));
            assertThat(n.engine.term()).isEqualTo(5);
            assertThat(n.engine.leaderId()).isZero();
            assertThat(n.engine.lastLogId()).isEqualTo(id(2, 3));
            assertThat(n.out.seqs()).isEmpty();
        }

        @Test
        void aStaleVoteResponseIsIgnored() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);
            n.engine.campaign();
            n.engine.onFlushed(1);
            n.drain();

            n.engine.receive(voteResponse(2, 1, 2, true, false));

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.CANDIDATE);
            assertThat(n.engine.term()).isEqualTo(3);
        }

        @Test
        void messagesForOtherNodesOrFromItselfAreDropped() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);

            n.engine.receive(voteRequest(1, 1, 3, id(2, 3), false));
            n.engine.receive(voteRequest(2, 3, 3, id(2, 3), false));

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.droppedMessages()).isEqualTo(2);
            assertThat(n.engine.term()).isEqualTo(2);
        }

        @Test
        void hostLevelBatchesAreDropped() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2);

            n.engine.receive(new io.ringraft.message.HeartbeatBatch(2, 1, new long[] {1}, new long[] {5},
                    new long[] {2}, new long[] {1}, new long[] {1}));
            n.engine.receive(io.ringraft.message.HeartbeatBatchResponse.empty(3, 1));

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.droppedMessages()).isEqualTo(2);
            assertThat(n.engine.term()).isEqualTo(2);
        }
    }

    // ================================================================== follower log

    @Nested
    class FollowerConflicts {

        @Test
        void anOldFullyMatchingAppendDoesNotTruncateLaterEntries() {
            Node n = Node.create(config(1, THREE), vote(2), 1, 1, 2, 2);

            n.engine.receive(append(2, 1, 2, id(1, 1), 0, 1, 2));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 2, 2),
                    send(ack(1, 2, 2, 3)));
            assertThat(n.engine.lastLogId()).isEqualTo(id(2, 4));
            assertThat(n.store.terms).containsExactly(1L, 1L, 2L, 2L);
        }

        @Test
        void aConflictTruncatesFromTheFirstConflictingIndexAndAppendsFromThere() {
            Node n = Node.create(config(1, THREE), vote(3), 1, 1, 2, 2, 2);

            n.engine.receive(append(2, 1, 3, id(2, 3), 0, 2, 3, 3));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new TruncateFrom(1, 5),
                    new AppendReplicated(2, 5, List.of(3L, 3L)));
            assertThat(n.engine.lastLogId()).isEqualTo(id(3, 6));
            assertThat(n.engine.durableIndex()).isEqualTo(4);
            assertThat(n.store.terms).containsExactly(1L, 1L, 2L, 2L, 3L, 3L);

            n.engine.onFlushed(2);

            assertThat(n.drain()).containsExactly(send(ack(1, 2, 3, 6)));
        }

        static Stream<Arguments> figure7Hints() {
            return Stream.of(
                    Arguments.of(id(7, 11), id(6, 10)),  // beyond the end
                    Arguments.of(id(6, 12), id(6, 10)),
                    Arguments.of(id(7, 10), id(6, 10)),  // same index, newer term
                    Arguments.of(id(5, 8), id(5, 7)),    // skips the term-6 run
                    Arguments.of(id(4, 12), id(4, 5)),   // skips terms 6 and 5
                    Arguments.of(id(3, 10), id(1, 3)),   // skips terms 6, 5 and 4
                    Arguments.of(id(2, 2), id(1, 2)));
        }

        @ParameterizedTest(name = "prev {0} -> hint {1}")
        @MethodSource("figure7Hints")
        void aPrevMismatchIsRejectedWithAHintAndNoStorageCall(LogId prev, LogId hint) {
            Node n = Node.create(config(1, THREE), vote(7), FIG7_LEADER);
            n.engine.receive(append(2, 1, 7, id(6, 10), 0));
            n.drain();
            int seqsBefore = n.out.seqs().size();

            n.engine.receive(append(2, 1, 7, prev, 0, 7));

            assertThat(n.drain()).containsExactly(send(reject(1, 2, 7, prev.index(), hint)));
            assertThat(n.out.seqs()).hasSize(seqsBefore);
            assertThat(n.engine.lastLogId()).isEqualTo(id(6, 10));
        }

        @Test
        void onlyWhatTheLogRoomTakesIsAppendedAndAcknowledged() {
            Node n = Node.create(config(1, THREE), vote(3), 1, 1);
            n.store.maxAccepted = 2;

            n.engine.receive(append(2, 1, 3, id(1, 2), 4, 3, 3, 3, 3));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new AppendReplicated(1, 3, List.of(3L, 3L)),
                    new Committed(4));
            assertThat(n.engine.lastLogId()).isEqualTo(id(3, 4));
            assertThat(n.engine.commitIndex()).as("the commit index never passes what this log holds").isEqualTo(4);

            n.engine.onFlushed(1);
            assertThat(n.drain()).as("acknowledges what it appended, so the leader resends the rest")
                    .containsExactly(send(ack(1, 2, 3, 4)));

            n.store.maxAccepted = Integer.MAX_VALUE;
            n.engine.receive(append(2, 1, 3, id(3, 4), 4, 3, 3));
            assertThat(n.drain()).containsExactly(new AppendReplicated(2, 5, List.of(3L, 3L)));
        }

        @Test
        void aFullLogRoomStillRepairsAConflictButAppendsNothing() {
            Node n = Node.create(config(1, THREE), vote(3), 1, 1, 2, 2);
            n.store.maxAccepted = 0;

            n.engine.receive(append(2, 1, 3, id(1, 2), 0, 3, 3));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new TruncateFrom(1, 3),
                    send(ack(1, 2, 3, 2)));
            assertThat(n.engine.lastLogId()).isEqualTo(id(1, 2));
        }

        @Test
        void conflictIndexNamesWhereTakingARequestWouldTruncate() {
            Node n = Node.create(config(1, THREE), EngineTestSupport.fixedRandom(0), vote(3), 2, 1, 1, 2, 2);

            assertThat(n.engine.conflictIndex(append(2, 1, 3, id(1, 1), 0, 1, 2, 2))).as("all match").isEqualTo(-1);
            assertThat(n.engine.conflictIndex(append(2, 1, 3, id(2, 4), 0, 3))).as("beyond the end").isEqualTo(-1);
            assertThat(n.engine.conflictIndex(append(2, 1, 3, id(1, 2), 0, 3, 3))).isEqualTo(3);

            n.engine.receive(append(2, 1, 3, id(1, 2), 0, 3, 3));
            assertThat(n.drain()).as("the query agrees with what receiving truncates").contains(new TruncateFrom(1, 3));
        }

        @Test
        void aConflictAtOrBelowTheCommitIndexThrows() {
            Node n = Node.create(config(1, THREE), EngineTestSupport.fixedRandom(0), vote(3), 3, 1, 1, 2, 2);

            assertThatThrownBy(() -> n.engine.receive(append(2, 1, 3, id(1, 2), 0, 3, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("committed");
        }

        @Test
        void aConflictJustAboveTheCommitIndexIsRepaired() {
            Node n = Node.create(config(1, THREE), EngineTestSupport.fixedRandom(0), vote(3), 2, 1, 1, 2, 2);

            n.engine.receive(append(2, 1, 3, id(1, 2), 0, 3, 3));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new TruncateFrom(1, 3),
                    new AppendReplicated(2, 3, List.of(3L, 3L)));
        }

        @Test
        void entriesAtOrBelowACompactedBaseAreSkippedAsCommitted() {
            // The log starts after (2,5); the leader's request starts at 4, inside the compacted part.
            Node n = Node.createAfter(config(1, THREE), id(2, 5), vote(3), 0, 3, 3);
            assertThat(n.engine.commitIndex()).isEqualTo(5);

            n.engine.receive(append(2, 1, 3, id(1, 3), 0, 2, 2, 3, 3, 3));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new AppendReplicated(1, 8, List.of(3L)));
            assertThat(n.engine.lastLogId()).isEqualTo(id(3, 8));

            n.engine.onFlushed(1);
            assertThat(n.drain()).containsExactly(send(ack(1, 2, 3, 8)));
        }

        @Test
        void aMalformedAppendIsDroppedBeforeItTouchesTheLog() {
            Node n = Node.create(config(1, THREE), vote(3), 1, 1, 2);

            n.engine.receive(append(2, 1, 3, id(2, 3), 0, 4)); // an entry of a term above the leader's
            n.engine.receive(append(2, 1, 3, id(2, 3), 0, 3, 2)); // terms that decrease

            assertThat(n.drain()).containsExactly(new StateChanged(Role.FOLLOWER, 3, 2));
            assertThat(n.engine.droppedMessages()).isEqualTo(2);
            assertThat(n.engine.lastLogId()).isEqualTo(id(2, 3));
        }

        @Test
        void theCommitIndexNeverPassesWhatIsVerifiedAgainstTheLeader() {
            // The follower holds 5 entries but the leader's request only vouches for 1..3.
            Node n = Node.create(config(1, THREE), vote(3), 1, 1, 2, 2, 2);

            n.engine.receive(append(2, 1, 3, id(2, 3), 5));

            assertThat(n.drain()).containsExactly(
                    new StateChanged(Role.FOLLOWER, 3, 2),
                    new Committed(3),
                    send(ack(1, 2, 3, 3)));
        }
    }

    // ================================================================== leader replication

    /** Node 1 leading term 8 over the Figure 7 leader log plus its no-op (8,11). */
    private static Node figure7Leader() {
        Node n = Node.create(config(1, THREE), vote(7), FIG7_LEADER);
        n.electSelf();
        assertThat(n.engine.lastLogId()).isEqualTo(id(8, 11));
        return n;
    }

    static Stream<Arguments> figure7Backtracking() {
        return Stream.of(
                // case (a) [1,1,1,4,4,5,5,6,6]: hint (6,9)
                Arguments.of(id(6, 9), id(6, 9), new long[] {6, 8}),
                // case (b) [1,1,1,4]: hint (4,4)
                Arguments.of(id(4, 4), id(4, 4), new long[] {4, 5, 5, 6, 6, 6, 8}),
                // case (e) [1,1,1,4,4,4,4]: hint (4,7), the leader has term 5 at 6..7
                Arguments.of(id(4, 7), id(4, 5), new long[] {5, 5, 6, 6, 6, 8}),
                // case (f) [1,1,1,2,2,2,3,3,3,3,3]: hint (3,10), the leader has no term 2 or 3
                Arguments.of(id(3, 10), id(1, 3), new long[] {4, 4, 5, 5, 6, 6, 6, 8}));
    }

    @ParameterizedTest(name = "hint {0} -> prev {1}")
    @MethodSource("figure7Backtracking")
    void aLeaderSkipsToTheHintedIndexAfterARejection(LogId hint, LogId expectedPrev, long[] expectedTerms) {
        Node n = figure7Leader();

        n.engine.receive(reject(2, 1, 8, 10, hint));

        assertThat(n.drain()).containsExactly(send(append(1, 2, 8, expectedPrev, 0, expectedTerms)));
    }

    @Test
    void aRejectionOfAnOlderProbeIsIgnored() {
        Node n = figure7Leader();
        n.engine.receive(reject(2, 1, 8, 10, id(3, 10)));
        n.drain();

        n.engine.receive(reject(2, 1, 8, 10, id(3, 10))); // a duplicate: the probe is now at prev 3

        assertThat(n.drain()).isEmpty();
    }

    static Stream<Arguments> figure7Followers() {
        return Stream.of(
                Arguments.of("a", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6}, 1),
                Arguments.of("b", new long[] {1, 1, 1, 4}, 1),
                Arguments.of("c", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 0),
                Arguments.of("d", new long[] {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 0),
                Arguments.of("e", new long[] {1, 1, 1, 4, 4, 4, 4}, 1),
                Arguments.of("f", new long[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 1));
    }

    @ParameterizedTest(name = "Figure 7 ({0})")
    @MethodSource("figure7Followers")
    void aLeaderRepairsEachFigure7FollowerWithOneRejectionAtMost(String name, long[] followerLog,
                                                               int expectedRejections) {
        Node leader = figure7Leader();
        Node follower = Node.create(config(2, THREE), vote(7), followerLog);
        leader.tick(1); // heartbeat: re-sends the probes
        List<RaftMessage> toFollower = onlyTo(2, leader.out.drainSent());
        int rejections = 0;
        for (int round = 0; round < 10 && !toFollower.isEmpty(); round++) {
            List<RaftMessage> toLeader = new ArrayList<>();
            for (RaftMessage m : toFollower) {
                follower.engine.receive(m);
                follower.flushAll();
                toLeader.addAll(follower.out.drainSent());
            }
            for (RaftMessage m : toLeader) {
                if (m instanceof AppendEntriesResponse r && !r.success()) {
                    rejections++;
                }
                leader.engine.receive(m);
            }
            toFollower = onlyTo(2, leader.out.drainSent());
        }

        assertThat(follower.store.terms).containsExactly(1L, 1L, 1L, 4L, 4L, 5L, 5L, 6L, 6L, 6L, 8L);
        assertThat(follower.engine.lastLogId()).isEqualTo(id(8, 11));
        assertThat(leader.engine.matchIndexOf(2)).isEqualTo(11);
        assertThat(rejections).isEqualTo(expectedRejections);
    }

    private static List<RaftMessage> onlyTo(long to, List<RaftMessage> messages) {
        return messages.stream().filter(m -> m.to() == to).toList();
    }

    @Test
    void aLeaderCommitsOnlyEntriesOfItsOwnTermByCounting() {
        // Raft Figure 8: the leader of term 4 holds (2,2) on a majority but must not commit it by
        // counting; once its own (4,3) is on a majority, commit jumps to 3 (taking 2 with it).
        Node n = Node.create(config(1, THREE), vote(3), 1, 2);
        n.electSelf();
        long noopSeq = n.engine.accepted().seq();
        assertThat(n.engine.lastLogId()).isEqualTo(id(4, 3));

        n.engine.receive(ack(2, 1, 4, 2));

        assertThat(n.drain()).containsExactly(send(append(1, 2, 4, id(2, 2), 0, 4)));
        assertThat(n.engine.matchIndexOf(2)).isEqualTo(2);
        assertThat(n.engine.matchIndexOf(1)).isEqualTo(2);
        assertThat(n.engine.commitIndex()).isZero();

        n.engine.onFlushed(noopSeq);

        assertThat(n.drain()).isEmpty();
        assertThat(n.engine.commitIndex()).isZero();

        n.engine.receive(ack(2, 1, 4, 3));

        assertThat(n.drain()).containsExactly(
                new Committed(3),
                send(append(1, 2, 4, id(4, 3), 3)));
        assertThat(n.engine.commitIndex()).isEqualTo(3);
    }

    @Test
    void aLeaderCountsItsOwnEntriesOnlyOnceDurable() {
        Node n = Node.create(config(1, THREE), vote(0));
        n.electSelf();
        long noopSeq = n.engine.accepted().seq();
        n.engine.receive(ack(2, 1, 1, 1));
        n.drain();

        assertThat(propose(n.engine, 2)).isEqualTo(2);
        assertThat(n.drain()).containsExactly(
                new AppendProposals(3, 2, 1, 2),
                send(append(1, 2, 1, id(1, 1), 0, 1, 1)));
        n.engine.receive(ack(3, 1, 1, 1));
        // Peers 2 and 3 hold the no-op: committed without the leader's own copy. Follower 2 has
        // 2..3 in flight, so only 3 (sent 2..3 now) carries the new commit index.
        assertThat(n.drain()).containsExactly(
                new Committed(1),
                send(append(1, 3, 1, id(1, 1), 1, 1, 1)));

        n.engine.onFlushed(noopSeq);
        assertThat(n.drain()).isEmpty();
        n.engine.onFlushed(n.engine.accepted().seq());
        assertThat(n.engine.commitIndex()).isEqualTo(1); // own 3 durable, but no follower has 2..3

        n.engine.receive(ack(2, 1, 1, 3));
        // Follower 2 is idle and hears of the commit at once; 3 has 2..3 in flight and learns it
        // with its next append or heartbeat.
        assertThat(n.drain()).containsExactly(
                new Committed(3),
                send(append(1, 2, 1, id(1, 3), 3)));
    }

    // ================================================================== check-quorum

    @Nested
    class CheckQuorum {

        private Node leader() {
            Node n = Node.create(config(1, THREE, false, true), vote(0));
            n.electSelf();
            return n;
        }

        @Test
        void aLeaderThatHearsFromNoFollowerStepsDownAfterAnElectionTimeout() {
            Node n = leader();
            n.tick(9);
            n.drain();
            assertThat(n.engine.role()).isEqualTo(Role.LEADER);

            n.tick(1);

            assertThat(n.drain()).containsExactly(new StateChanged(Role.FOLLOWER, 1, 0));
            assertThat(n.engine.role()).isEqualTo(Role.FOLLOWER);
            assertThat(n.engine.term()).isEqualTo(1);
        }

        @Test
        void aLeaderThatHearsFromAQuorumStaysUntilItStopsHearing() {
            Node n = leader();
            n.tick(5);
            n.engine.receive(ack(2, 1, 1, 1));
            n.tick(5);
            List<Event> events = n.drain();
            assertThat(events).noneMatch(e -> e instanceof StateChanged);
            assertThat(n.engine.role()).isEqualTo(Role.LEADER);

            n.tick(9);
            assertThat(n.drain()).noneMatch(e -> e instanceof StateChanged);
            n.tick(1);

            assertThat(n.drain()).containsExactly(new StateChanged(Role.FOLLOWER, 1, 0));
        }

        @Test
        void aSingleVoterLeaderNeverStepsDown() {
            Node n = Node.create(config(1, voters(1), false, true), vote(0));
            n.electSelf();
            n.tick(100);
            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.role()).isEqualTo(Role.LEADER);
        }

        private Node followerOfNode2(boolean checkQuorum) {
            Node n = Node.create(config(1, THREE, false, checkQuorum), vote(1), 1);
            n.engine.receive(append(2, 1, 1, id(1, 1), 0));
            n.drain();
            n.tick(3);
            assertThat(n.drain()).isEmpty();
            return n;
        }

        @Test
        void withCheckQuorumAFollowerThatHearsItsLeaderIgnoresAHigherTermVoteRequest() {
            Node n = followerOfNode2(true);

            n.engine.receive(voteRequest(3, 1, 2, id(1, 1), false));

            assertThat(n.drain()).isEmpty();
            assertThat(n.engine.term()).isEqualTo(1);
            assertThat(n.engine.leaderId()).isEqualTo(2);
        }

        @Test
        void withoutCheckQuorumTheSameFollowerGrantsIt() {
            Node n = followerOfNode2(false);

            n.engine.receive(voteRequest(3, 1, 2, id(1, 1), false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(2)),
                    new StateChanged(Role.FOLLOWER, 2, 0),
                    new SaveVote(2, vote(2, 3)));
            n.engine.onFlushed(2);
            assertThat(n.drain()).containsExactly(send(voteResponse(1, 3, 2, true, false)));
        }

        @Test
        void withCheckQuorumAFollowerWhoseLeaseExpiredGrantsIt() {
            Node n = Node.create(config(1, THREE, false, true), EngineTestSupport.fixedRandom(5), vote(1), 0, 1);
            n.engine.receive(append(2, 1, 1, id(1, 1), 0));
            n.tick(10); // lease over, randomized timeout 15 not reached
            n.drain();

            n.engine.receive(voteRequest(3, 1, 2, id(1, 1), false));

            assertThat(n.drain()).containsExactly(
                    new SaveVote(1, vote(2)),
                    new StateChanged(Role.FOLLOWER, 2, 0),
                    new SaveVote(2, vote(2, 3)));
        }
    }

    // ================================================================== pipelining

    @Test
    void inReplicateStateTheLeaderPipelinesUpToTheWindowInBatches() {
        EngineConfig config = new EngineConfig(1, THREE, 10, 1, false, false, 2, 3);
        Node n = Node.create(config, vote(0));
        n.electSelf(); // term 1, no-op (1,1) at seq 2
        n.engine.receive(ack(2, 1, 1, 1)); // peer 2 -> REPLICATE
        assertThat(n.drain()).isEmpty();

        assertThat(propose(n.engine, 10)).isEqualTo(2);

        assertThat(n.drain()).containsExactly(
                new AppendProposals(3, 2, 1, 10),
                send(append(1, 2, 1, id(1, 1), 0, 1, 1, 1)),
                send(append(1, 2, 1, id(1, 4), 0, 1, 1, 1)));

        assertThat(propose(n.engine, 2)).isEqualTo(12);
        assertThat(n.drain()).containsExactly(new AppendProposals(4, 12, 1, 2)); // window full

        n.engine.receive(ack(2, 1, 1, 4)); // frees the first message
        assertThat(n.drain()).containsExactly(send(append(1, 2, 1, id(1, 7), 0, 1, 1, 1)));

        n.engine.receive(ack(2, 1, 1, 4)); // duplicate: nothing freed
        assertThat(n.drain()).isEmpty();

        n.engine.receive(ack(2, 1, 1, 10)); // frees both; 11..13 fit in one message
        assertThat(n.drain()).containsExactly(send(append(1, 2, 1, id(1, 10), 0, 1, 1, 1)));
    }

    @Test
    void aReaderThatReturnsFewerEntriesThanAskedForShortensTheMessagesNotTheLog() {
        EngineConfig config = new EngineConfig(1, THREE, 10, 1, false, false, 2, 3);
        Node n = Node.create(config, vote(0));
        n.store.maxPerRead = 2;
        n.electSelf();
        n.engine.receive(ack(2, 1, 1, 1));

        n.engine.propose(5);

        assertThat(n.drain()).containsExactly(
                new AppendProposals(3, 2, 1, 5),
                send(append(1, 2, 1, id(1, 1), 0, 1, 1)),
                send(append(1, 2, 1, id(1, 3), 0, 1, 1)));

        n.engine.receive(ack(2, 1, 1, 3));
        assertThat(n.drain()).containsExactly(send(append(1, 2, 1, id(1, 5), 0, 1)));
    }

    @Test
    void aPipelineWithoutAcknowledgementsFallsBackToProbingAfterAnElectionTimeout() {
        EngineConfig config = new EngineConfig(1, THREE, 10, 5, false, false, 1, 3);
        Node n = Node.create(config, vote(0));
        n.electSelf();
        n.engine.receive(ack(2, 1, 1, 1));
        n.engine.propose(2);
        assertThat(n.drain()).containsExactly(
                new AppendProposals(3, 2, 1, 2),
                send(append(1, 2, 1, id(1, 1), 0, 1, 1)));

        n.tick(9);
        assertThat(n.drain()).noneMatch(e -> e.equals(send(append(1, 2, 1, id(1, 1), 0, 1, 1))));
        n.tick(1); // stalled for 10 ticks: probe again from match + 1 on this heartbeat

        assertThat(n.drain()).contains(send(append(1, 2, 1, id(1, 1), 0, 1, 1)));
    }

    // ================================================================== flush reports

    @Test
    void staleFlushReportsAreIgnoredAndReportsOfUnknownWritesThrow() {
        Node n = Node.create(config(1, THREE), vote(1));
        n.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1));
        n.engine.receive(append(2, 1, 1, id(1, 1), 0, 1));
        assertThat(n.out.seqs()).containsExactly(1L, 2L);
        n.drain();

        n.engine.onFlushed(2);
        assertThat(n.drain()).containsExactly(send(ack(1, 2, 1, 2)));

        n.engine.onFlushed(1);
        n.engine.onFlushed(2);
        assertThat(n.drain()).isEmpty();
        assertThat(n.engine.flushedSeq()).isEqualTo(2);
        assertThat(n.engine.durableIndex()).isEqualTo(2);

        assertThatThrownBy(() -> n.engine.onFlushed(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aFollowerAcknowledgesOnlyOnceItsEntriesAreDurable() {
        Node n = Node.create(config(1, THREE), vote(1));

        n.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1, 1));

        assertThat(n.drain()).containsExactly(
                new StateChanged(Role.FOLLOWER, 1, 2),
                new AppendReplicated(1, 1, List.of(1L, 1L)));

        n.engine.receive(append(2, 1, 1, id(1, 2), 2)); // heartbeat while the append is pending

        assertThat(n.drain()).containsExactly(new Committed(2));

        n.engine.onFlushed(1);
        assertThat(n.drain()).containsExactly(send(ack(1, 2, 1, 2)));
    }

    // ================================================================== truncate and re-append

    @Test
    void aLateFlushOfTruncatedEntriesDoesNotCountForTheirReplacements() {
        Node n = Node.create(config(1, THREE), vote(1));
        n.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1, 1));
        assertThat(n.drain()).containsExactly(
                new StateChanged(Role.FOLLOWER, 1, 2),
                new AppendReplicated(1, 1, List.of(1L, 1L)));

        n.engine.receive(append(3, 1, 2, LogId.ZERO, 0, 2, 2));
        assertThat(n.drain()).containsExactly(
                new SaveVote(2, vote(2)),
                new StateChanged(Role.FOLLOWER, 2, 3),
                new TruncateFrom(3, 1),
                new AppendReplicated(4, 1, List.of(2L, 2L)));

        n.engine.onFlushed(1); // the term-1 entries, already truncated
        assertThat(n.engine.durableIndex()).isZero();
        assertThat(n.drain()).isEmpty();

        n.engine.onFlushed(3); // the vote and the truncation
        assertThat(n.engine.durableIndex()).isZero();
        assertThat(n.drain()).isEmpty();

        n.engine.onFlushed(4);
        assertThat(n.engine.durableIndex()).isEqualTo(2);
        assertThat(n.drain()).containsExactly(send(ack(1, 3, 2, 2)));
    }

    @Test
    void aLateFlushAfterAPartialTruncationAcknowledgesOnlyTheSurvivingPrefix() {
        Node n = Node.create(config(1, THREE), vote(1));
        n.engine.receive(append(2, 1, 1, LogId.ZERO, 0, 1, 1, 1));
        n.drain();

        n.engine.receive(append(3, 1, 2, id(1, 1), 0, 2));
        assertThat(n.drain()).containsExactly(
                new SaveVote(2, vote(2)),
                new StateChanged(Role.FOLLOWER, 2, 3),
                new TruncateFrom(3, 2),
                new AppendReplicated(4, 2, List.of(2L)));

        n.engine.onFlushed(1);
        assertThat(n.engine.durableIndex()).isEqualTo(1);
        assertThat(n.drain()).containsExactly(send(ack(1, 3, 2, 1)));

        n.engine.onFlushed(4);
        assertThat(n.engine.durableIndex()).isEqualTo(2);
        assertThat(n.drain()).containsExactly(send(ack(1, 3, 2, 2)));
    }
}
