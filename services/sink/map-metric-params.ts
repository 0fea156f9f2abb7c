// The metric queries' journey-specific parameters, read from the journey map in use: its stages,
// sign-up and activation rule, onboarding funnel and feature event. The queries' declared defaults
// are the b2b map's; a deployment running another map (config/journeys/b2c.yaml, its own) gets
// its funnel, its activation and its stages from here, in the demo report and in the dashboards.
import type { JourneyMap } from '../journey/journey-map.ts';
import { ordinaryStages } from '../journey/journey-map.ts';
import { funnelStepName } from '../journey/settle-markers.ts';
import type { MetricParamValue, MetricQuery } from './metric-queries.ts';

export function metricParamsForMap(map: JourneyMap): Record<string, MetricParamValue> {
  const stages = ordinaryStages(map).map((s) => s.id);
  const steps = map.funnel.steps.map(funnelStepName);
  const signupEvent = map.signup[0]!.event;
  const firstStageEvents = (map.stages[0]!.conversion ?? [])
    .map((c) => ('event' in c ? c.event : undefined))
    .filter((e): e is string => e !== undefined);
  const params: Record<string, MetricParamValue> = {
    stages,
    first_stage: stages[0]!,
    target_stage: stages[1] ?? stages[0]!,
    churn_stages: map.stages.filter((s) => s.signal).map((s) => s.id),
    exclude_stages: map.stages.filter((s) => s.signal === 'billing_churn').map((s) => s.id),
    signup_event: signupEvent,
    conversion_event: signupEvent,
    qualified_events: firstStageEvents.length > 0 ? firstStageEvents : [signupEvent],
    activation_event: map.activation.event,
    times: map.activation.times,
    window_days: map.activation.within_days,
    steps,
    value_event: steps[steps.length - 1]!,
  };
  if (map.features) params.feature_event = map.features.event;
  return params;
}

/** The map's parameters that `query` declares (others are left to the query's defaults). */
export function mapParamsFor(query: MetricQuery, map: JourneyMap): Record<string, MetricParamValue> {
  const all = metricParamsForMap(map);
  return Object.fromEntries(query.params.filter((p) => p.name in all).map((p) => [p.name, all[p.name]!]));
}
