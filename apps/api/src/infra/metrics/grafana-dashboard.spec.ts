import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { METRIC_NAMES, Metrics } from './metrics';

const DASHBOARD = resolve(__dirname, '../../../../../deploy/grafana/realtime-api.dashboard.json');

interface Panel {
  id?: number;
  type: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

function queries(panels: Panel[]): string[] {
  return panels.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr ?? ''), ...queries(p.panels ?? [])]);
}

/** The metric names a PromQL expression reads: ours and prom-client's runtime ones. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(?:rt|nodejs|process)_\w+/g)].map((m) => m[0]);
}

/** Names in `exprs` that no metric of `registered` exports (histograms add _bucket, _sum, _count). */
function unknownMetrics(exprs: string[], registered: Map<string, string>): string[] {
  return exprs.flatMap(metricsIn).filter((name) => {
    if (registered.has(name)) return false;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return registered.get(base) !== 'histogram' && registered.get(base) !== 'summary';
  });
}

describe('deploy/grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; uid: string };
  let registered: Map<string, string>;

  beforeAll(async () => {
    const json = await new Metrics().registry.getMetricsAsJSON();
    registered = new Map(json.map((m) => [m.name, String(m.type)]));
  });

  it('is a dashboard whose panels have unique ids and at least one query each', () => {
    expect(dashboard.uid).toBeTruthy();
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(10);
    for (const p of graphs) expect(queries([p]).filter(Boolean).length).toBeGreaterThan(0);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads only metrics that the registry exports', () => {
    const exprs = queries(dashboard.panels);
    expect(exprs.length).toBeGreaterThan(0);
    expect(unknownMetrics(exprs, registered)).toEqual([]);
    // The check itself catches a misspelt name.
    expect(
      unknownMetrics(['rate(rt_conections_open[5m])', 'rt_tick_fanout_duration_seconds_bucket'], registered),
    ).toEqual(['rt_conections_open']);
  });

  it('graphs every metric of the service', () => {
    const read = new Set(
      queries(dashboard.panels)
        .flatMap(metricsIn)
        .map((n) => n.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(Object.values(METRIC_NAMES).filter((name) => !read.has(name))).toEqual([]);
  });
});
