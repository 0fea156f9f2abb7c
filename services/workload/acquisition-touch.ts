// How a prospect from each channel lands on the marketing site: UTM campaign and referrer, chosen
// so the ingest stage's channel mapping (services/ingest/derive-channel.ts) gives the channel back.
import type { Rng } from './prng.ts';
import type { Campaign, PageContext } from './segment-messages.ts';
import type { Channel } from './workload-profile.ts';

export const SITE = 'https://www.journeyapp.example';
export const APP = 'https://app.journeyapp.example';

const LANDING_PATHS = ['/', '/pricing', '/features/funnels', '/blog/activation-metrics', '/customers'];

function query(campaign: Campaign | undefined): string {
  if (campaign === undefined) return '';
  const params = new URLSearchParams({
    utm_source: campaign.source,
    utm_medium: campaign.medium,
    utm_campaign: campaign.name,
  });
  if (campaign.term !== null) params.set('utm_term', campaign.term);
  if (campaign.content !== null) params.set('utm_content', campaign.content);
  return `?${params.toString()}`;
}

function campaignFor(channel: Channel, rng: Rng): Campaign | undefined {
  switch (channel) {
    case 'paid_search':
      return {
        source: rng.pick(['google', 'bing']),
        medium: 'cpc',
        name: 'brand_search',
        term: 'journey analytics',
        content: `ad_${rng.int(1, 4)}`,
      };
    case 'social':
      return {
        source: rng.pick(['linkedin', 'twitter', 'reddit']),
        medium: 'social',
        name: 'launch_week',
        term: null,
        content: null,
      };
    case 'email':
      return {
        source: 'newsletter',
        medium: 'email',
        name: 'weekly_digest',
        term: null,
        content: `issue_${rng.int(10, 60)}`,
      };
    default:
      return undefined;
  }
}

function referrerFor(channel: Channel, rng: Rng): string {
  switch (channel) {
    case 'paid_search':
    case 'organic_search':
      return rng.pick(['https://www.google.com/', 'https://www.bing.com/', 'https://duckduckgo.com/']);
    case 'social':
      return rng.pick(['https://www.linkedin.com/', 'https://t.co/x1y2z3']);
    case 'referral':
      return rng.pick([
        'https://www.g2.com/products/journeyapp/reviews',
        'https://news.partnerblog.example/top-tools',
      ]);
    default:
      return '';
  }
}

export interface LandingTouch {
  campaign: Campaign | undefined;
  page: PageContext;
}

export function landingTouch(channel: Channel, rng: Rng): LandingTouch {
  const campaign = campaignFor(channel, rng);
  const path = rng.pick(LANDING_PATHS);
  const search = query(campaign);
  return {
    campaign,
    page: {
      path,
      url: `${SITE}${path}${search}`,
      referrer: referrerFor(channel, rng),
      search,
      title: 'JourneyApp',
    },
  };
}

/** A page on the site or in the app, navigated to from `from` (internal referrer) or typed in. */
export function innerPage(base: string, path: string, from: string | null): PageContext {
  return { path, url: `${base}${path}`, referrer: from ?? '', search: '', title: 'JourneyApp' };
}
