// Which instance of a stage owns a topic's partitions right now: the group member whose
// assignment names the topic, identified by its client id (`<KAFKA_CLIENT_ID>-<role>-chaos-<role>-<n>`,
// as pipeline-processes.ts starts them).
import { AssignerProtocol } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { Role } from './pipeline-processes.ts';

export async function partitionOwner(
  kafka: Kafka,
  groupId: string,
  role: Role,
  topic?: string,
): Promise<number | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0]?.state !== 'Stable') return null;
    const instanceOf = new RegExp(`-${role}-chaos-${role}-(\\d+)$`);
    for (const member of groups[0].members) {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const owns = Object.entries(assignment?.assignment ?? {}).some(
        ([t, partitions]) => (topic === undefined || t === topic) && partitions.length > 0,
      );
      const instance = instanceOf.exec(member.clientId)?.[1];
      if (owns && instance !== undefined) return Number(instance);
    }
    return null;
  } finally {
    await admin.disconnect();
  }
}
