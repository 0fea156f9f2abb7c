// The churn-mechanism workloads the churn model is judged on (docs/churn.md "Against baselines"):
// each plants churn by different mechanisms and sends a different share of the signals.
import type { Distractions, MechanismWorkloadSpec } from './churn-mechanisms.ts';

const DISTRACTIONS: Distractions = {
  vacation: 0.2,
  cardExpired: 0.1,
  grumpy: 0.12,
  handover: 0.06,
  holiday: true,
};

const base = { accounts: 240, days: 150, churnShare: 0.3, distractions: DISTRACTIONS };

export const MECHANISM_WORKLOADS: readonly MechanismWorkloadSpec[] = [
  {
    ...base,
    name: 'people',
    description: 'champions leave and seats shrink; no tickets, no surveys sent',
    mechanisms: { champion_leaves: 1, seat_shrink: 1 },
    streams: { tickets: false, surveys: false, invoices: true },
  },
  {
    ...base,
    name: 'billing-decay',
    description: 'failed payments and silent usage decay; no surveys sent',
    mechanisms: { failed_payments: 1, silent_decay: 1 },
    streams: { tickets: true, surveys: false, invoices: true },
  },
  {
    ...base,
    name: 'voice',
    description: 'unhappy customers (urgent tickets, detractors) and silent decay; no invoices sent',
    mechanisms: { voice: 2, silent_decay: 1 },
    streams: { tickets: true, surveys: true, invoices: false },
  },
  {
    ...base,
    name: 'mixed',
    description: 'every mechanism, a tenth of the churners with no warning; every signal sent',
    mechanisms: {
      champion_leaves: 1,
      seat_shrink: 1,
      failed_payments: 1,
      silent_decay: 1,
      voice: 1,
      no_warning: 0.55,
    },
    streams: { tickets: true, surveys: true, invoices: true },
  },
];

export function mechanismWorkload(name: string): MechanismWorkloadSpec {
  const spec = MECHANISM_WORKLOADS.find((w) => w.name === name);
  if (spec === undefined)
    throw new Error(`unknown workload ${name} (one of ${MECHANISM_WORKLOADS.map((w) => w.name).join(', ')})`);
  return spec;
}
