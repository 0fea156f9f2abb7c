// What Grafana and the ClickHouse datasource plugin (v4, pkg/macros) do to a panel's SQL before
// it reaches ClickHouse: template variables are interpolated, then the plugin's macros expand to
// SQL for the dashboard's time range. Anything left over is an error, so a panel using a macro
// this file does not know fails its test instead of passing untested.

export interface GrafanaQueryContext {
  from: Date;
  to: Date;
  intervalSeconds: number;
  variables: Record<string, string>;
}

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const dateTime = (d: Date): string => `toDateTime(${seconds(d)})`;
const dateTime64 = (d: Date): string => `fromUnixTimestamp64Milli(${d.getTime()})`;
const date = (d: Date): string => `toDate('${d.toISOString().slice(0, 10)}')`;

export function expandGrafanaSql(sql: string, ctx: GrafanaQueryContext): string {
  let out = sql.replace(
    /\$\{(\w+)(?::(\w+))?\}|\$(?!__)(\w+)/g,
    (whole, braced?: string, format?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      const value = ctx.variables[name];
      if (value === undefined) throw new Error(`unknown template variable ${whole}`);
      if (format === undefined) return value;
      // Grafana's sqlstring: single quotes around, a quote inside doubled.
      if (format === 'sqlstring') return `'${value.replaceAll("'", "''")}'`;
      throw new Error(`unknown variable format ${whole}`);
    },
  );
  const withColumn: Record<string, (col: string) => string> = {
    timeFilter: (c) => `${c} >= ${dateTime(ctx.from)} AND ${c} <= ${dateTime(ctx.to)}`,
    timeFilter_ms: (c) => `${c} >= ${dateTime64(ctx.from)} AND ${c} <= ${dateTime64(ctx.to)}`,
    dateFilter: (c) => `${c} >= ${date(ctx.from)} AND ${c} <= ${date(ctx.to)}`,
    timeInterval: (c) =>
      `toStartOfInterval(toDateTime(${c}), INTERVAL ${Math.max(ctx.intervalSeconds, 1)} second)`,
  };
  out = out.replace(/\$__(\w+)\(([^)]*)\)/g, (whole, name: string, arg: string) => {
    const macro = withColumn[name];
    if (!macro) throw new Error(`unknown macro ${whole}`);
    return macro(arg.trim());
  });
  const plain: Record<string, string> = {
    fromTime_ms: dateTime64(ctx.from),
    toTime_ms: dateTime64(ctx.to),
    fromTime: dateTime(ctx.from),
    toTime: dateTime(ctx.to),
    interval_s: String(Math.max(ctx.intervalSeconds, 1)),
  };
  out = out.replace(/\$__(\w+)/g, (whole, name: string) => {
    const value = plain[name];
    if (value === undefined) throw new Error(`unknown macro ${whole}`);
    return value;
  });
  return out;
}
