// Which instances of a stage own a topic's partitions right now: the group members whose
// assignment names the topic, identified by their client id (`<KAFKA_CLIENT_ID>-<role>-chaos-<role>-<n>`,
// as pipeline-processes.ts starts them).
import { AssignerProtocol } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { Role } from './pipeline-processes.ts';

/** The owning instances, least first; null while the group is not stable (a rebalance). */
export async function partitionOwners(
  kafka: Kafka,
  groupId: string,
  role: Role,
  topic?: string,
): Promise<number[] | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0]?.state !== 'Stable') return null;
    const instanceOf = new RegExp(`-${role}-chaos-${role}-(\\d+)$`);
    const owners: number[] = [];
    for (const member of groups[0].members) {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const owns = Object.entries(assignment?.assignment ?? {}).some(
        ([t, partitions]) => (topic === undefined || t === topic) && partitions.length > 0,
      );
      const instance = instanceOf.exec(member.clientId)?.[1];
      if (owns && instance !== undefined) owners.push(Number(instance));
    }
    return owners.sort((a, b) => a - b);
  } finally {
    await admin.disconnect();
  }
}
