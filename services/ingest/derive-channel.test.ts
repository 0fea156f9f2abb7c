import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelInput } from './derive-channel.ts';
import { deriveChannel, deriveUtm } from './derive-channel.ts';

function input(partial: Partial<ChannelInput> & { medium?: string; source?: string }): ChannelInput {
  const { medium, source, ...rest } = partial;
  const utm =
    medium === undefined && source === undefined
      ? null
      : { source: source ?? null, medium: medium ?? null, campaign: null, term: null, content: null };
  return {
    utm,
    pageSearch: undefined,
    pageUrl: 'https://app.example.com/signup',
    referrer: undefined,
    onPage: true,
    ...rest,
  };
}

describe('deriveChannel', () => {
  const cases: Array<[string, Partial<ChannelInput> & { medium?: string; source?: string }, string | null]> =
    [
      ['utm cpc from google', { source: 'google', medium: 'cpc' }, 'paid_search'],
      ['utm "Paid Search"', { source: 'bing', medium: 'Paid Search' }, 'paid_search'],
      ['utm cpc from facebook', { source: 'facebook', medium: 'cpc' }, 'paid_social'],
      ['utm paid-social', { source: 'linkedin', medium: 'paid-social' }, 'paid_social'],
      ['utm display', { source: 'dv360', medium: 'display' }, 'display'],
      ['utm cpm on instagram', { source: 'instagram', medium: 'cpm' }, 'paid_social'],
      ['utm email', { source: 'hubspot', medium: 'email' }, 'email'],
      ['utm newsletter', { source: 'weekly', medium: 'newsletter' }, 'email'],
      ['utm affiliate', { source: 'partnerstack', medium: 'affiliate' }, 'affiliate'],
      ['utm social', { source: 'twitter', medium: 'social' }, 'social'],
      ['utm referral', { source: 'g2', medium: 'referral' }, 'referral'],
      ['utm organic', { source: 'google', medium: 'organic' }, 'organic_search'],
      ['utm unknown medium', { source: 'podcast', medium: 'audio' }, 'other'],
      ['utm source only: search engine', { source: 'duckduckgo' }, 'organic_search'],
      ['utm source only: social', { source: 'reddit' }, 'social'],
      ['utm source only: other', { source: 'producthunt' }, 'referral'],
      ['gclid in the landing URL', { pageSearch: '?gclid=abc' }, 'paid_search'],
      ['msclkid in the URL', { pageUrl: 'https://example.com/?msclkid=1' }, 'paid_search'],
      ['dclid', { pageSearch: '?dclid=1' }, 'display'],
      ['ttclid', { pageSearch: '?ttclid=1' }, 'paid_social'],
      [
        'fbclid alone is not paid',
        { pageSearch: '?fbclid=1', referrer: 'https://l.facebook.com/' },
        'social',
      ],
      ['google referrer', { referrer: 'https://www.google.co.uk/' }, 'organic_search'],
      ['search.brave.com referrer', { referrer: 'https://search.brave.com/search?q=x' }, 'organic_search'],
      [
        'docs.google.com is a referral, not search',
        { referrer: 'https://docs.google.com/document/d/1' },
        'referral',
      ],
      ['t.co referrer', { referrer: 'https://t.co/abc' }, 'social'],
      ['linkedin referrer', { referrer: 'https://www.linkedin.com/feed/' }, 'social'],
      ['webmail referrer', { referrer: 'https://mail.google.com/mail/u/0/' }, 'email'],
      ['blog referrer', { referrer: 'https://someblog.dev/post' }, 'referral'],
      ['same-site referrer', { referrer: 'https://app.example.com/pricing' }, 'internal'],
      ['unparseable referrer, on a page', { referrer: 'not a url' }, 'direct'],
      ['no referrer on a page', { referrer: '' }, 'direct'],
      ['server-side event without page', { onPage: false, pageUrl: undefined }, null],
    ];
  for (const [label, partial, expected] of cases) {
    it(`${label} -> ${expected}`, () => assert.equal(deriveChannel(input(partial)), expected));
  }
});

describe('deriveUtm', () => {
  it('prefers context.campaign, mapping name to campaign', () => {
    assert.deepEqual(deriveUtm({ name: 'spring', source: 'google', medium: 'cpc' }, '?utm_source=other'), {
      source: 'google',
      medium: 'cpc',
      campaign: 'spring',
      term: null,
      content: null,
    });
  });

  it('falls back to utm_* of the landing page query, then of the URL', () => {
    assert.deepEqual(deriveUtm(undefined, '?utm_source=news&utm_medium=email&utm_content=hero'), {
      source: 'news',
      medium: 'email',
      campaign: null,
      term: null,
      content: 'hero',
    });
    assert.equal(deriveUtm(undefined, undefined, 'https://x.io/?utm_campaign=launch')?.campaign, 'launch');
  });

  it('is null when there is no UTM at all (blank values count as none)', () => {
    assert.equal(deriveUtm({ source: ' ', name: '' }, '?a=b'), null);
    assert.equal(deriveUtm(undefined, undefined, 'not a url'), null);
  });
});
