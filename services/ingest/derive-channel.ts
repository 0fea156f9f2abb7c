// Acquisition channel of a behavior event, from UTM parameters, ad click ids and the referrer.
//
// Mapping, first rule that applies wins (mediums compared lower-case, '-' and ' ' read as '_'):
//  1. utm_medium
//     cpc, ppc, sem, paid_search, paidsearch, search_ads -> paid_search (paid_social when utm_source is a social network)
//     paid_social, paidsocial, social_paid, social_cpc    -> paid_social
//     display, banner, cpm, programmatic, retargeting    -> display (paid_social when utm_source is a social network)
//     email, e_mail, newsletter, mail                    -> email
//     affiliate, affiliates, partner, partners           -> affiliate
//     social, social_media, social_network, sm, organic_social -> social
//     referral, referrer, link                           -> referral
//     organic                                            -> organic_search
//     anything else                                      -> other
//  2. utm_source without medium: a search engine -> organic_search, a social network -> social,
//     email/newsletter -> email, anything else -> referral
//  3. ad click id in the landing URL: gclid, gbraid, wbraid, msclkid -> paid_search; dclid -> display;
//     ttclid, li_fat_id, twclid -> paid_social (fbclid is also added to organic Facebook links: ignored)
//  4. referrer host: same host as the page -> internal (navigation, not an acquisition touch);
//     webmail -> email; search engine -> organic_search; social network -> social; else referral
//  5. a page/screen call or a page context with no referrer -> direct
//  6. otherwise (server-side track/identify with no page context) -> null
import type { Utm } from '../shared/generated/avro-types.ts';

const MEDIUM_CHANNEL: ReadonlyMap<string, string> = new Map([
  ...['cpc', 'ppc', 'sem', 'paid_search', 'paidsearch', 'search_ads'].map((m) => [m, 'paid_search'] as const),
  ...['paid_social', 'paidsocial', 'social_paid', 'social_cpc'].map((m) => [m, 'paid_social'] as const),
  ...['display', 'banner', 'cpm', 'programmatic', 'retargeting'].map((m) => [m, 'display'] as const),
  ...['email', 'e_mail', 'newsletter', 'mail'].map((m) => [m, 'email'] as const),
  ...['affiliate', 'affiliates', 'partner', 'partners'].map((m) => [m, 'affiliate'] as const),
  ...['social', 'social_media', 'social_network', 'sm', 'organic_social'].map((m) => [m, 'social'] as const),
  ...['referral', 'referrer', 'link'].map((m) => [m, 'referral'] as const),
  ['organic', 'organic_search'],
]);

const SEARCH_BRANDS = new Set([
  'google',
  'bing',
  'duckduckgo',
  'yahoo',
  'baidu',
  'yandex',
  'ecosia',
  'startpage',
  'naver',
  'ask',
  'brave',
]);
const SOCIAL_BRANDS = new Set([
  'facebook',
  'fb',
  'instagram',
  'ig',
  'linkedin',
  'twitter',
  'x',
  'reddit',
  'tiktok',
  'youtube',
  'pinterest',
  'snapchat',
  'quora',
  'threads',
  'meta',
  'mastodon',
  'bsky',
  'ycombinator',
]);
const SOCIAL_HOSTS = new Set(['t.co', 'lnkd.in', 'youtu.be', 'news.ycombinator.com', 'bsky.app']);
const WEBMAIL_HOSTS = new Set([
  'mail.google.com',
  'outlook.live.com',
  'outlook.office.com',
  'outlook.office365.com',
  'mail.yahoo.com',
  'mail.proton.me',
  'mail.aol.com',
  'mail.yandex.ru',
]);
const PAID_SEARCH_CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'msclkid'];
const PAID_SOCIAL_CLICK_IDS = ['ttclid', 'li_fat_id', 'twclid'];
// Subdomains that say nothing about the site (m.facebook.com, l.facebook.com, search.brave.com).
const NEUTRAL_SUBDOMAIN = /^(?:www\d?|m|l|lm|mobile|search|web)\./;

export interface ChannelInput {
  utm: Utm | null;
  /** Landing page query string ('?a=b') and URL; click ids are read from them. */
  pageSearch: string | undefined;
  pageUrl: string | undefined;
  /** Referrer URL (context.page.referrer, else context.referrer.url). */
  referrer: string | undefined;
  /** The event happened on a page or screen (page/screen call, or a context.page). */
  onPage: boolean;
}

function brandOf(host: string): string {
  let h = host;
  while (NEUTRAL_SUBDOMAIN.test(h)) h = h.replace(NEUTRAL_SUBDOMAIN, '');
  return h.split('.')[0] ?? h;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\d?\./, '');
  } catch {
    return undefined;
  }
}

function sourceKind(source: string): 'search' | 'social' | 'email' | undefined {
  const first =
    source
      .toLowerCase()
      .trim()
      .split(/[.\-_ ]/)[0] ?? '';
  if (SEARCH_BRANDS.has(first)) return 'search';
  if (SOCIAL_BRANDS.has(first)) return 'social';
  if (first === 'email' || first === 'newsletter' || first === 'mail') return 'email';
  return undefined;
}

function channelFromUtm(utm: Utm): string | undefined {
  const source = utm.source ?? '';
  if (utm.medium !== null) {
    const medium = utm.medium
      .toLowerCase()
      .trim()
      .replace(/[-\s]+/g, '_');
    const channel = MEDIUM_CHANNEL.get(medium) ?? 'other';
    const social = sourceKind(source) === 'social';
    if (social && (channel === 'paid_search' || channel === 'display')) return 'paid_social';
    return channel;
  }
  if (utm.source === null) return undefined;
  const kind = sourceKind(source);
  if (kind === 'search') return 'organic_search';
  if (kind === 'social') return 'social';
  if (kind === 'email') return 'email';
  return 'referral';
}

function queryParams(search: string | undefined, url: string | undefined): URLSearchParams | undefined {
  if (search !== undefined && search.length > 0) return new URLSearchParams(search);
  if (url === undefined) return undefined;
  try {
    return new URL(url).searchParams;
  } catch {
    return undefined;
  }
}

function channelFromClickId(params: URLSearchParams | undefined): string | undefined {
  if (params === undefined) return undefined;
  if (PAID_SEARCH_CLICK_IDS.some((p) => params.has(p))) return 'paid_search';
  if (params.has('dclid')) return 'display';
  if (PAID_SOCIAL_CLICK_IDS.some((p) => params.has(p))) return 'paid_social';
  return undefined;
}

function channelFromReferrer(referrer: string, pageUrl: string | undefined): string | undefined {
  const host = hostOf(referrer);
  if (host === undefined) return undefined;
  if (pageUrl !== undefined && hostOf(pageUrl) === host) return 'internal';
  if (WEBMAIL_HOSTS.has(host) || host.startsWith('webmail.')) return 'email';
  if (SOCIAL_HOSTS.has(host)) return 'social';
  const brand = brandOf(host);
  if (SEARCH_BRANDS.has(brand)) return 'organic_search';
  if (SOCIAL_BRANDS.has(brand)) return 'social';
  return 'referral';
}

export function deriveChannel(input: ChannelInput): string | null {
  if (input.utm !== null) {
    const fromUtm = channelFromUtm(input.utm);
    if (fromUtm !== undefined) return fromUtm;
  }
  const fromClick = channelFromClickId(queryParams(input.pageSearch, input.pageUrl));
  if (fromClick !== undefined) return fromClick;
  if (input.referrer !== undefined && input.referrer.trim() !== '') {
    const fromReferrer = channelFromReferrer(input.referrer.trim(), input.pageUrl);
    if (fromReferrer !== undefined) return fromReferrer;
  }
  return input.onPage ? 'direct' : null;
}

function blankToNull(v: string | null | undefined): string | null {
  return v === undefined || v === null || v.trim() === '' ? null : v;
}

export interface CampaignFields {
  name?: string | undefined;
  source?: string | undefined;
  medium?: string | undefined;
  term?: string | undefined;
  content?: string | undefined;
}

/** UTM from context.campaign, else from utm_* parameters of the landing URL; null when none. */
export function deriveUtm(
  campaign: CampaignFields | undefined,
  pageSearch?: string,
  pageUrl?: string,
): Utm | null {
  let utm: Utm = {
    source: blankToNull(campaign?.source),
    medium: blankToNull(campaign?.medium),
    campaign: blankToNull(campaign?.name),
    term: blankToNull(campaign?.term),
    content: blankToNull(campaign?.content),
  };
  if (Object.values(utm).every((v) => v === null)) {
    const params = queryParams(pageSearch, pageUrl);
    if (params === undefined) return null;
    utm = {
      source: blankToNull(params.get('utm_source')),
      medium: blankToNull(params.get('utm_medium')),
      campaign: blankToNull(params.get('utm_campaign')),
      term: blankToNull(params.get('utm_term')),
      content: blankToNull(params.get('utm_content')),
    };
  }
  return Object.values(utm).every((v) => v === null) ? null : utm;
}
