// Voice of the customer: support tickets (created -> updated -> solved -> maybe rated) and
// NPS / CSAT / CES responses. Decaying accounts file more tickets, rate them worse and answer
// surveys lower, with verbatims that say why.
import type { AccountState } from './account-state.ts';
import { HOUR_MS } from './account-state.ts';
import { hash32 } from './prng.ts';
import type { JourneyContext } from './journey-context.ts';
import { emitRecord, person } from './journey-context.ts';
import type { SurveyKind } from './survey-payload.ts';
import { surveyPayload } from './survey-payload.ts';
import type { TicketInput, TicketKind } from './ticket-payload.ts';
import { ticketEventId, ticketEventTime, ticketPayload } from './ticket-payload.ts';
import {
  CSAT_BAD,
  CSAT_GOOD,
  NPS_DETRACTOR,
  NPS_PASSIVE,
  NPS_PROMOTER,
  QUESTIONS,
  TICKET_TOPICS,
} from './voice-text.ts';

function numericId(seed: number, ...parts: number[]): string {
  return String(10_000_000 + (hash32(seed, ...parts) % 89_999_999));
}

export function stageOf(state: AccountState, decaying: boolean): string {
  if (state.phase === 'trial')
    return state.fateSteps === state.reachedSteps && state.reachedSteps === 4 ? 'engagement' : 'activation';
  if (decaying) return 'churn-risk';
  return state.expanded ? 'expansion' : 'engagement';
}

export function openTicket(ctx: JourneyContext, state: AccountState, now: number, decaying: boolean): void {
  const rng = state.rng;
  const userIndex = rng.int(0, Math.max(0, state.joined - 1));
  const user = person(ctx, state, userIndex);
  const topic = rng.pick(TICKET_TOPICS);
  const { accountId, name, index } = state.traits;
  const solvedMs = now + Math.ceil(rng.between(2, 72) * HOUR_MS);
  const base: TicketInput = {
    ticketId: `${index + 1}${String(state.ticketSeq++).padStart(4, '0')}`,
    kind: 'created',
    requester: {
      id: numericId(ctx.seed, index, userIndex, 0x7e),
      email: user.emails[0] as string,
      userId: user.userId,
    },
    organization: { id: numericId(ctx.seed, index, 0x0a), accountId, name },
    status: 'new',
    priority: rng.pick(decaying ? ['high', 'urgent', 'normal'] : ['low', 'normal', 'normal', 'high']),
    channel: rng.pick(['email', 'web', 'chat']),
    tags: topic.tags,
    subject: topic.subject,
    category: topic.category,
    rating: null,
    createdMs: now,
    updatedMs: now,
    solvedMs: null,
  };
  const link = { userId: user.userId, email: user.emails[0] as string };
  const send = (t: TicketInput): void =>
    emitRecord(
      ctx,
      state,
      'tickets',
      ticketPayload(t),
      ticketEventTime(t),
      ticketEventId(t),
      undefined,
      link,
    );
  send(base);
  const opened = {
    ...base,
    kind: 'updated' as TicketKind,
    status: 'open',
    updatedMs: now + Math.ceil(rng.between(0.2, 1) * HOUR_MS),
  };
  send(opened);
  const solved = { ...opened, kind: 'solved' as TicketKind, status: 'solved', updatedMs: solvedMs, solvedMs };
  send(solved);
  if (rng.chance(0.5)) {
    const bad = rng.chance(decaying ? 0.6 : 0.15);
    const comment = rng.chance(0.7) ? rng.pick(bad ? CSAT_BAD : CSAT_GOOD) : null;
    const ratedMs = solvedMs + Math.ceil(rng.between(1, 24) * HOUR_MS);
    send({
      ...solved,
      kind: 'satisfaction_rated',
      updatedMs: ratedMs,
      rating: { score: bad ? 'bad' : 'good', comment },
    });
  }
}

function npsScore(state: AccountState, decaying: boolean): { score: number; comment: string } {
  const rng = state.rng;
  const band = rng.weighted(decaying ? [0.1, 0.3, 0.6] : [0.5, 0.3, 0.2]);
  if (band === 0) return { score: rng.int(9, 10), comment: rng.pick(NPS_PROMOTER) };
  if (band === 1) return { score: rng.int(7, 8), comment: rng.pick(NPS_PASSIVE) };
  return { score: rng.int(0, 6), comment: rng.pick(NPS_DETRACTOR) };
}

export function answerSurvey(ctx: JourneyContext, state: AccountState, now: number, decaying: boolean): void {
  const rng = state.rng;
  const userIndex = rng.int(0, Math.max(0, state.joined - 1));
  const user = person(ctx, state, userIndex);
  const kind: SurveyKind = (['nps', 'csat', 'ces'] as const)[rng.weighted([0.6, 0.25, 0.15])] as SurveyKind;
  const nps = npsScore(state, decaying);
  const scaled = (max: number): number => Math.max(1, Math.round(1 + ((max - 1) * nps.score) / 10));
  const score = kind === 'nps' ? nps.score : kind === 'csat' ? scaled(5) : scaled(7);
  const responseId = `resp_${rng.uuid().replace(/-/g, '').slice(0, 20)}`;
  const value = surveyPayload({
    responseId,
    surveyId: `${kind}_${stageOf(state, decaying)}`,
    kind,
    question: QUESTIONS[kind],
    score,
    comment: rng.chance(0.6) ? nps.comment : null,
    userId: user.userId,
    email: rng.chance(0.5) ? (user.emails[0] as string) : null,
    anonymousId: null,
    accountId: state.traits.accountId,
    stage: stageOf(state, decaying),
    answeredMs: now,
  });
  emitRecord(ctx, state, 'surveys', value, now, `surveys:${responseId}`, undefined, { userId: user.userId });
}
