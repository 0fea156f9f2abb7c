// Segment-spec messages (https://segment.com/docs/connections/spec/common/): track, page,
// identify, group and alias with the common fields and context. Device clocks are exact here:
// timestamp = event time, sentAt = the (possibly later, for late events) send time,
// receivedAt = sentAt, so the pipeline's clock-skew correction gives back the event time.

export type SegmentType = 'track' | 'page' | 'identify' | 'group' | 'alias';

export interface Campaign {
  source: string;
  medium: string;
  name: string;
  term: string | null;
  content: string | null;
}

export interface PageContext {
  path: string;
  url: string;
  referrer: string;
  search: string;
  title: string;
}

export interface SegmentInput {
  type: SegmentType;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  /** group: the account; track/page: context.groupId (the B2B convention). */
  accountId?: string;
  previousId?: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  page?: PageContext;
  campaign?: Campaign;
  deviceId?: string;
  ip: string;
  userAgent: string;
  eventTimeMs: number;
  sendTimeMs: number;
}

const LIBRARY = { name: 'analytics.js', version: '5.2.0' };

export function segmentMessage(input: SegmentInput): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  if (input.campaign !== undefined) context['campaign'] = input.campaign;
  if (input.page !== undefined) context['page'] = input.page;
  if (input.deviceId !== undefined) context['device'] = { id: input.deviceId };
  context['ip'] = input.ip;
  context['userAgent'] = input.userAgent;
  context['library'] = LIBRARY;
  if (input.accountId !== undefined && input.type !== 'group') context['groupId'] = input.accountId;

  const message: Record<string, unknown> = { type: input.type, messageId: input.messageId };
  if (input.anonymousId !== undefined) message['anonymousId'] = input.anonymousId;
  if (input.userId !== undefined) message['userId'] = input.userId;
  if (input.type === 'group') message['groupId'] = input.accountId;
  if (input.previousId !== undefined) message['previousId'] = input.previousId;
  if (input.event !== undefined) message['event'] = input.event;
  if (input.name !== undefined) message['name'] = input.name;
  if (input.properties !== undefined) message['properties'] = input.properties;
  if (input.traits !== undefined) message['traits'] = input.traits;
  message['context'] = context;
  message['timestamp'] = new Date(input.eventTimeMs).toISOString();
  const sentAt = new Date(input.sendTimeMs).toISOString();
  message['sentAt'] = sentAt;
  message['receivedAt'] = sentAt;
  return message;
}
