// MRR in one reporting currency (issue #16), for customers that pay in several. Stripe amounts are
// in the subscription's own minor units; with MRR_CURRENCY set, each is converted with the
// configured rate (MRR_EXCHANGE_RATES: one unit of the currency in MRR_CURRENCY), so an account's
// subscriptions sum in one currency. A currency without a rate gives no MRR at all (null, and the
// event says which currency was left unconverted) rather than a sum of dollars and yen. Without
// MRR_CURRENCY, MRR stays in each subscription's own currency: right for a business that bills in
// one. Pure.
import { minorUnitExponent } from './minor-units.ts';

export interface MrrCurrency {
  /** ISO 4217, lower case; '' = no conversion. */
  currency: string;
  /** Currency -> value of one unit in `currency`. */
  rates: ReadonlyMap<string, number>;
}

export const NO_CONVERSION: MrrCurrency = { currency: '', rates: new Map() };

const RATE = /^([a-z]{3})=(\d+(?:\.\d+)?)$/;

/** "eur=1.08,gbp=1.27" -> rates; throws naming the entry that is not `xxx=number`. */
export function parseExchangeRates(text: string): Map<string, number> {
  const rates = new Map<string, number>();
  for (const entry of text
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '')) {
    const match = RATE.exec(entry);
    if (!match || !(Number(match[2]) > 0)) throw new Error(`"${entry}" is not <currency>=<positive rate>`);
    rates.set(match[1]!, Number(match[2]));
  }
  return rates;
}

/** MRR in minor units of `from` -> minor units of the reporting currency; null without a rate. */
export function convertMrr(minor: number, from: string | null, target: MrrCurrency): number | null {
  if (target.currency === '' || minor === 0) return minor;
  const code = (from ?? '').toLowerCase();
  if (code === '' || code === target.currency) return minor;
  const rate = target.rates.get(code);
  if (rate === undefined) return null;
  const major = minor / 10 ** minorUnitExponent(code);
  return Math.round(major * rate * 10 ** minorUnitExponent(target.currency));
}
