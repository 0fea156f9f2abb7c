// The explorer's shell: filters kept in the URL (?from=&to=&cut=), the JSON API, DOM helpers that
// only ever set text (no HTML from data), ECharts, and the router that renders the page the path
// names (pages.js).
import { PAGES } from './pages.js';

/** The page's filters as metric parameters: dates as half-open day bounds. */
export function filters() {
  const q = new URLSearchParams(location.search);
  const out = { cut: q.get('cut') || 'all' };
  if (q.get('from')) out.from = `${q.get('from')} 00:00:00.000`;
  if (q.get('to')) out.to = `${nextDay(q.get('to'))} 00:00:00.000`;
  return out;
}
const nextDay = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** A metric query's rows from the server (arrays as repeated parameters). */
export async function metric(name, params = {}) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) search.append(k, String(item));
    else search.set(k, String(v));
  }
  const res = await fetch(`/api/metric/${name}?${search}`);
  const body = await res.json();
  if (!res.ok) throw new Error(`${name}: ${body.error}`);
  return body;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, String(v));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** A link that keeps the page's filters. */
export function link(path, text) {
  return el('a', { href: `${path}${location.search}`, text });
}

export function section(title, note, ...children) {
  return el(
    'section',
    {},
    el('h2', { text: title }),
    note ? el('p', { class: 'note', text: note }) : null,
    ...children,
  );
}

const isNumber = (v) => typeof v === 'number';
export const cellText = (v) =>
  v === null || v === undefined ? '—' : isNumber(v) ? String(Math.round(v * 10000) / 10000) : String(v);

/**
 * A table of `rows`: `columns` is [key, header, render?] — render(row) returns a node (a link);
 * every cell carries data-col, the table data-metric, so tests read what a person sees.
 */
export function table(metricName, rows, columns) {
  if (rows.length === 0)
    return el('p', { class: 'empty', 'data-metric': metricName, text: 'No rows in this range.' });
  const head = el('tr', {}, ...columns.map(([, header]) => el('th', { text: header })));
  const body = rows.map((row) =>
    el(
      'tr',
      {},
      ...columns.map(([key, , render]) => {
        const value = row[key];
        const td = el('td', {
          'data-col': key,
          class: key === 'reasons' || key === 'words' ? 'words' : isNumber(value) ? 'num' : undefined,
        });
        td.append(render ? render(row) : cellText(value));
        return td;
      }),
    ),
  );
  return el('table', { 'data-metric': metricName }, el('thead', {}, head), el('tbody', {}, ...body));
}

/** Charts are drawn once their nodes are in the page (a detached node has no size). */
const pendingCharts = [];
export function chart(option, height = 320) {
  const node = el('div', { class: 'chart', style: `height:${height}px` });
  pendingCharts.push(() => globalThis.echarts.init(node).setOption({ animation: false, ...option }));
  return node;
}

async function main() {
  const page = document.getElementById('page');
  const form = document.getElementById('filters');
  const q = new URLSearchParams(location.search);
  for (const name of ['from', 'to', 'cut']) if (q.get(name)) form.elements[name].value = q.get(name);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    for (const name of ['from', 'to', 'cut'])
      if (form.elements[name].value) next.set(name, form.elements[name].value);
    location.search = next.toString();
  });
  const map = await (await fetch('/api/map')).json();
  document.getElementById('map-name').textContent = `journey map ${map.name} v${map.version}`;
  const [, first = 'flow', ...rest] = location.pathname.split('/');
  for (const a of document.querySelectorAll('header nav a'))
    if (a.getAttribute('href') === `/${first}`) a.setAttribute('aria-current', 'page');
  const render = PAGES[first] ?? PAGES.flow;
  try {
    page.replaceChildren(...(await render({ map, args: rest.map(decodeURIComponent) })));
    for (const draw of pendingCharts.splice(0)) draw();
  } catch (err) {
    page.replaceChildren(el('p', { class: 'error', text: String(err.message ?? err) }));
  }
  page.setAttribute('aria-busy', 'false');
}

main();
