// Zendesk-like ticket change, in the shape of schemas/support_ticket.avsc (the trigger-webhook
// body the ingest normaliser reads): ticket_id, event_kind, requester, organization, status,
// priority, channel (Zendesk via.channel), tags, subject, category, satisfaction_rating, times.

export type TicketKind = 'created' | 'updated' | 'solved' | 'satisfaction_rated';

export interface TicketInput {
  ticketId: string;
  kind: TicketKind;
  requester: { id: string; email: string; userId: string };
  organization: { id: string; accountId: string; name: string };
  status: string;
  priority: string;
  channel: string;
  tags: string[];
  subject: string;
  category: string;
  rating: { score: 'good' | 'bad'; comment: string | null } | null;
  createdMs: number;
  updatedMs: number;
  solvedMs: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function ticketPayload(t: TicketInput): Record<string, unknown> {
  return {
    ticket_id: t.ticketId,
    event_kind: t.kind,
    requester: { id: t.requester.id, email: t.requester.email, external_id: t.requester.userId },
    organization: { id: t.organization.id, external_id: t.organization.accountId, name: t.organization.name },
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    tags: t.tags,
    subject: t.subject,
    category: t.category,
    satisfaction_rating: t.rating,
    created_at: iso(t.createdMs),
    updated_at: iso(t.updatedMs),
    solved_at: t.solvedMs === null ? null : iso(t.solvedMs),
  };
}

/** The event time the ingest stage reads for each kind. */
export function ticketEventTime(t: TicketInput): number {
  if (t.kind === 'created') return t.createdMs;
  if (t.kind === 'solved') return t.solvedMs ?? t.updatedMs;
  return t.updatedMs;
}

export function ticketEventId(t: TicketInput): string {
  return `tickets:${t.ticketId}:${t.kind}:${t.updatedMs}`;
}
