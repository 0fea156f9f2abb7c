// The customer's own words: ticket subjects, CSAT and NPS verbatims, cancellation comments.
// Unhappy texts name concrete reasons so churn-reason analysis has something to find.

export const TICKET_TOPICS: ReadonlyArray<{ category: string; subject: string; tags: string[] }> = [
  {
    category: 'billing',
    subject: 'Invoice shows more seats than we use',
    tags: ['billing', 'invoice_question'],
  },
  { category: 'bug', subject: 'Report export fails with a timeout', tags: ['bug', 'reports'] },
  { category: 'how_to', subject: 'How do I connect our warehouse?', tags: ['integrations', 'how_to'] },
  {
    category: 'account',
    subject: 'Cannot invite a teammate from another domain',
    tags: ['account', 'invites'],
  },
  { category: 'performance', subject: 'Dashboards load very slowly since Monday', tags: ['performance'] },
  {
    category: 'feature_request',
    subject: 'Can we schedule reports weekly?',
    tags: ['feature_request', 'reports'],
  },
];

export const CSAT_GOOD = [
  'Quick and helpful, thanks!',
  'Solved in minutes.',
  'Great explanation of the setup.',
];
export const CSAT_BAD = [
  'Took three days to get an answer.',
  'The workaround does not work for us.',
  'Nobody understood the problem, very frustrating.',
];

export const NPS_PROMOTER = [
  'Reports save my team hours every week.',
  'Easy to set up and the integrations just work.',
];
export const NPS_PASSIVE = [
  'Does the job, but the dashboards are slow.',
  'Good, pricing is a bit high for us.',
];
export const NPS_DETRACTOR = [
  'Too expensive for what we actually use.',
  'We keep hitting bugs in the exports.',
  'Our team stopped using it after the reorg.',
  'Missing the Salesforce sync we were promised.',
];

export const QUESTIONS = {
  nps: 'How likely are you to recommend us to a friend or colleague?',
  csat: 'How satisfied are you with the product today?',
  ces: 'How easy was it to get set up?',
} as const;

/** Stripe cancellation_details.feedback values with the comments customers leave with them. */
export const CANCEL_FEEDBACK: ReadonlyArray<{ feedback: string; comments: string[] }> = [
  {
    feedback: 'too_expensive',
    comments: ['Budget cuts, we cannot justify the price anymore.', 'Too expensive for a team our size.'],
  },
  { feedback: 'unused', comments: ['Nobody on the team logs in anymore.', 'We never really rolled it out.'] },
  {
    feedback: 'missing_features',
    comments: ['No Salesforce sync, so we moved on.', 'We needed scheduled exports.'],
  },
  {
    feedback: 'switched_service',
    comments: ['Moving to the tool our parent company uses.', 'Switched to a cheaper competitor.'],
  },
  {
    feedback: 'low_quality',
    comments: ['Too many bugs in the reports.', 'Dashboards were too slow to be useful.'],
  },
];
