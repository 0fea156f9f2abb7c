// The journey stage is one writer: the identity graph is global, so every partition of its
// topics (canonical events and identity commands) goes to ONE member of the group, the others
// being hot standbys. kafkajs's default round-robin assigner would hand canonical partition 0 to
// one member and the commands partition to another — two writers of one graph. The current owner
// says so in its member metadata, and keeps the partitions across a rebalance (a standby joining
// does not cause a handover); with no owner present, the first member by id takes them.
import { AssignerProtocol } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

const OWNER = Buffer.from('owner');

export function singleOwnerAssigner(isOwner: () => boolean): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'JourneySingleOwner',
    version: 1,
    async assign({ members, topics }) {
      const sorted = [...members].sort((a, b) => a.memberId.localeCompare(b.memberId));
      const claims = (m: (typeof members)[number]): boolean => {
        const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return meta !== null && Buffer.isBuffer(meta.userData) && meta.userData.equals(OWNER);
      };
      const owner = (sorted.find(claims) ?? sorted[0])!.memberId;
      const assignment: Record<string, number[]> = {};
      for (const topic of topics)
        assignment[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
      return sorted.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: memberId === owner ? assignment : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'JourneySingleOwner',
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: isOwner() ? OWNER : Buffer.alloc(0),
        }),
      };
    },
  });
}
