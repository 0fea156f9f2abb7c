// The journey map's schema (zod): what config/journeys/*.yaml may say. docs/journey.md is the
// reference for every field; journey-map.ts parses YAML against this and reports file:line.
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A predicate over one field: every operator given must hold. */
export const predicateSchema = z
  .object({
    eq: scalar.optional(),
    in: z.array(scalar).min(1).optional(),
    gte: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'at least one of eq, in, gte, lte, exists');

/** An event that matches: its name, plus predicates on typed fields or properties. */
export const eventConditionSchema = z
  .object({ event: z.string().min(1), where: z.record(z.string(), predicateSchema).optional() })
  .strict();

/** A stage condition: an event condition, or "the account is activated" (see `activation`). */
const conditionSchema = z.union([eventConditionSchema, z.object({ activation: z.literal(true) }).strict()]);

const stageSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case id (a-z, 0-9, -)'),
    description: z.string().optional(),
    /** Signal stages are entered by a signal, not by the ordered conversions. */
    signal: z.enum(['inactivity', 'billing_churn']).optional(),
    /** All must have happened (at any time) before the account can enter this stage. */
    entry: z.array(conditionSchema).default([]),
    /** Any one moves the account on to the next ordinary stage. */
    conversion: z.array(conditionSchema).default([]),
    /** Any one shows the account is already at least here, whatever was seen before (a customer
     *  base older than the pipeline: a paid invoice, an active subscription): the stages before
     *  are passed at that time, entry conditions included. */
    evidence: z.array(conditionSchema).default([]),
    stall_days: z.number().int().positive().optional(),
    voice_question: z.string().min(1),
    revenue: z.string().min(1),
  })
  .strict();

const segmentSchema = z.union([
  z.object({ id: z.string().min(1), when: z.record(z.string(), predicateSchema) }).strict(),
  z.object({ id: z.string().min(1), default: z.literal(true) }).strict(),
]);

const funnelStepSchema = z.union([z.string().min(1), eventConditionSchema]);

export const journeyMapSchema = z
  .object({
    name: z.string().min(1),
    version: z.number().int().positive(),
    lateness_minutes: z.number().int().min(0).max(720, 'at most 720 (timers work on whole days)'),
    stages: z.array(stageSchema).min(5).max(7),
    signup: z.array(eventConditionSchema).min(1),
    activation: z
      .object({
        event: z.string().min(1),
        where: z.record(z.string(), predicateSchema).optional(),
        times: z.number().int().positive().max(50),
        distinct_days: z.boolean(),
        within_days: z.number().int().positive().max(90),
      })
      .strict(),
    funnel: z.object({ name: z.string().min(1), steps: z.array(funnelStepSchema).min(1).max(16) }).strict(),
    features: z
      .object({ event: z.string().min(1), property: z.string().min(1) })
      .strict()
      .optional(),
    /** identify traits.role values that make a person the account's champion (admin). */
    champion_roles: z.array(z.string().min(1)).default(['admin', 'owner']),
    segments: z.array(segmentSchema).min(1),
    churn_risk: z
      .object({
        inactive_days: z.number().int().positive(),
        usage_drop: z
          .object({
            recent_days: z.number().int().positive().max(28),
            baseline_days: z.number().int().positive().max(56),
            below_ratio: z.number().positive().max(1),
            min_baseline_active_days: z.number().int().positive(),
            /** Below the ratio at this many consecutive midnights before entering (hysteresis). */
            enter_days: z.number().int().positive().max(28).default(1),
            /** A drop is left only once the recent rate is back above this share of the baseline
             *  the drop was measured against, at `exit_days` consecutive midnights. Absent: left
             *  on activity (exit_active_days), as an inactivity episode. */
            exit_ratio: z.number().positive().max(2).optional(),
            exit_days: z.number().int().positive().max(28).default(1),
          })
          .strict()
          .optional(),
        exit_active_days: z.number().int().positive().max(7).default(1),
        /** The first ordinary stage from which an account can go at risk (default: the second —
         *  a prospect never is). E.g. engagement: a sign-up that never took off stalls instead. */
        from_stage: z.string().optional(),
        /** Only a customer goes at risk: an account bearing MRR at the time, or one that never
         *  sent billing (a product without it). A running or lost trial, whose MRR is 0, is a
         *  conversion question (stalls), not a customer about to leave. */
        customers_only: z.boolean().default(false),
        /** Days not counted for risk, as neither active nor inactive (seasonal dips). */
        quiet_days: z
          .object({
            weekends: z.boolean().default(false),
            periods: z
              .array(
                z
                  .object({
                    from: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD'),
                    to: z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'MM-DD'),
                  })
                  .strict(),
              )
              .max(12)
              .default([]),
          })
          .strict()
          .default({ weekends: false, periods: [] }),
      })
      .strict(),
    churned: z
      .object({
        entry: z.array(eventConditionSchema).min(1),
        reactivation: z.array(eventConditionSchema).min(1),
      })
      .strict(),
  })
  .strict()
  .superRefine((map, ctx) => {
    const ids = map.stages.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', path: ['stages', i, 'id'], message: `duplicate stage id ${id}` });
    });
    for (const signal of ['inactivity', 'billing_churn'] as const) {
      const count = map.stages.filter((s) => s.signal === signal).length;
      if (count !== 1)
        ctx.addIssue({
          code: 'custom',
          path: ['stages'],
          message: `exactly one stage needs signal: ${signal}`,
        });
    }
    map.stages.forEach((s, i) => {
      if (s.signal && (s.entry.length > 0 || s.conversion.length > 0))
        ctx.addIssue({
          code: 'custom',
          path: ['stages', i, s.entry.length > 0 ? 'entry' : 'conversion'],
          message: 'a signal stage is entered by its signal (see churn_risk / churned)',
        });
    });
    if (map.stages[0]?.signal)
      ctx.addIssue({ code: 'custom', path: ['stages', 0, 'signal'], message: 'the first stage is ordinary' });
    if (map.stages[0]?.entry.length)
      ctx.addIssue({
        code: 'custom',
        path: ['stages', 0, 'entry'],
        message: 'the first stage is entered by any event',
      });
    const from = map.churn_risk.from_stage;
    if (from !== undefined && !map.stages.some((st, i) => st.id === from && !st.signal && i > 0))
      ctx.addIssue({
        code: 'custom',
        path: ['churn_risk', 'from_stage'],
        message: 'must name an ordinary stage after the first',
      });
    const usage = map.churn_risk.usage_drop;
    if (usage && usage.baseline_days <= usage.recent_days)
      ctx.addIssue({
        code: 'custom',
        path: ['churn_risk', 'usage_drop', 'baseline_days'],
        message: 'must be longer than recent_days',
      });
    if (usage?.exit_ratio !== undefined && usage.exit_ratio <= usage.below_ratio)
      ctx.addIssue({
        code: 'custom',
        path: ['churn_risk', 'usage_drop', 'exit_ratio'],
        message: 'must be above below_ratio (the band between them is the hysteresis)',
      });
    if (usage && usage.min_baseline_active_days > usage.baseline_days)
      ctx.addIssue({
        code: 'custom',
        path: ['churn_risk', 'usage_drop', 'min_baseline_active_days'],
        message: 'cannot exceed baseline_days',
      });
    if (map.activation.distinct_days && map.activation.times > map.activation.within_days)
      ctx.addIssue({
        code: 'custom',
        path: ['activation', 'times'],
        message: 'more distinct days than the window has',
      });
  });

export type JourneyMap = z.output<typeof journeyMapSchema>;
export type StageDefinition = JourneyMap['stages'][number];
export type StageCondition = StageDefinition['conversion'][number];
export type EventCondition = z.output<typeof eventConditionSchema>;
export type Predicate = z.output<typeof predicateSchema>;
