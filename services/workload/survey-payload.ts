// NPS / CSAT / CES response in the shape of schemas/survey_response.avsc.

export type SurveyKind = 'nps' | 'csat' | 'ces';

export interface SurveyInput {
  responseId: string;
  surveyId: string;
  kind: SurveyKind;
  question: string;
  score: number;
  comment: string | null;
  userId: string;
  email: string | null;
  anonymousId: string | null;
  accountId: string;
  stage: string;
  answeredMs: number;
}

export function surveyPayload(s: SurveyInput): Record<string, unknown> {
  return {
    response_id: s.responseId,
    survey_id: s.surveyId,
    survey_kind: s.kind,
    question: s.question,
    score: s.score,
    comment: s.comment,
    respondent: { user_id: s.userId, email: s.email, anonymous_id: s.anonymousId },
    account_id: s.accountId,
    journey_stage: s.stage,
    answered_at: new Date(s.answeredMs).toISOString(),
  };
}
