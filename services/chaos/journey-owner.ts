// Which journey instance owns the partitions right now: the group member with a non-empty
// assignment, named by its client id (`<KAFKA_CLIENT_ID>-journey-<INSTANCE_ID>`).
import { AssignerProtocol } from 'kafkajs';
import type { Kafka } from 'kafkajs';

export async function journeyOwner(kafka: Kafka, groupId: string): Promise<number | null> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    if (groups[0]?.state !== 'Stable') return null;
    for (const member of groups[0].members) {
      const assignment = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      const owns = Object.values(assignment?.assignment ?? {}).some((p) => p.length > 0);
      const instance = /-journey-chaos-journey-(\d+)$/.exec(member.clientId)?.[1];
      if (owns && instance !== undefined) return Number(instance);
    }
    return null;
  } finally {
    await admin.disconnect();
  }
}
