import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BaseChartDirective } from 'ng2-charts';

import { type ChartPoint, LineChart, appendInPlace, dataRange, withAlpha } from './line-chart';

@Component({
  imports: [LineChart],
  template: `<rt-line-chart
    label="Orders"
    [points]="points()"
    [integer]="integer()"
    [baseline]="baseline()"
    [now]="now()"
    [intervalMs]="5000"
    [loading]="loading()"
  />`,
})
class Host {
  readonly points = signal<ChartPoint[]>([]);
  readonly integer = signal(true);
  readonly baseline = signal<'zero' | 'data'>('zero');
  readonly now = signal<number | null>(null);
  readonly loading = signal(true);
}

const T0 = new Date(2026, 10, 30, 10, 0, 0).getTime();

async function setup() {
  const fixture = TestBed.createComponent(Host);
  await fixture.whenStable();
  const directive = fixture.debugElement.query((d) => d.injector.get(BaseChartDirective, null) !== null);
  const base = directive.injector.get(BaseChartDirective);
  const chart = base.chart!;
  const el = fixture.nativeElement as HTMLElement;
  return { fixture, base, chart, el, host: fixture.componentInstance };
}

describe('LineChart', () => {
  it('shows a skeleton until there are points, then the same chart updated in place', async () => {
    const { fixture, base, chart, el, host } = await setup();
    expect(el.querySelector('[data-testid=chart-skeleton]')?.textContent).toContain('Loading');
    const update = jest.spyOn(chart, 'update');

    host.points.set([{ t: T0, v: 1 }]);
    host.loading.set(false);
    await fixture.whenStable();
    const data = chart.data.datasets[0].data;
    host.points.set([
      { t: T0, v: 1 },
      { t: T0 + 5000, v: 3 },
    ]);
    await fixture.whenStable();

    expect(el.querySelector('[data-testid=chart-skeleton]')).toBeNull();
    expect(base.chart).toBe(chart);
    expect(chart.data.datasets[0].data).toBe(data);
    expect(update).toHaveBeenCalledWith('none');
    expect(data).toEqual([
      { t: T0, v: 1 },
      { t: T0 + 5000, v: 3 },
    ]);
    expect(el.querySelector('canvas')?.getAttribute('aria-label')).toBe('Orders, last 5 s: 3 at 10:00:05');
  });

  it('draws counts stepped and unsmoothed on a time scale, breaks the line over gaps and says so', async () => {
    const { fixture, chart, el, host } = await setup();
    host.points.set([
      { t: T0, v: 1 },
      { t: T0 + 5000, v: 2 },
      { t: T0 + 60_000, v: 2 },
    ]);
    await fixture.whenStable();
    const ds = chart.data.datasets[0] as { stepped?: unknown; tension?: number; spanGaps?: unknown };
    expect(ds.stepped).toBe('before');
    expect(ds.tension).toBe(0);
    expect(ds.spanGaps).toBe(10_000);
    expect(chart.options.scales?.['x']?.type).toBe('time');
    expect(el.querySelector('canvas')?.getAttribute('aria-label')).toContain('no data 10:00:05–10:01:00');

    host.integer.set(false);
    host.baseline.set('data');
    // While nothing arrives, the window runs on to now and the silence is a gap too.
    host.now.set(T0 + 120_000);
    await fixture.whenStable();
    expect(ds.stepped).toBe(false);
    expect((chart.options.scales?.['y'] as { beginAtZero?: boolean }).beginAtZero).toBe(false);
    expect(chart.options.scales?.['x']?.max).toBe(T0 + 120_000);
    expect(el.querySelector('canvas')?.getAttribute('aria-label')).toContain('10:01:00–10:02:00');
  });
});

describe('appendInPlace', () => {
  const p = (...ts: number[]) => ts.map((t) => ({ t, v: t * 10 }));

  it('appends new points, drops old ones from the front, and refills when the history differs', () => {
    const target = p(1, 2, 3);
    const first = target[1];
    appendInPlace(target, p(2, 3, 4, 5));
    expect(target).toEqual(p(2, 3, 4, 5));
    expect(target[0]).toBe(first);
    appendInPlace(target, p(0, 1, 2));
    expect(target).toEqual(p(0, 1, 2));
    appendInPlace(target, [
      { t: 0, v: 0 },
      { t: 1, v: 10 },
      { t: 2, v: 99 },
    ]);
    expect(target[2].v).toBe(99);
    appendInPlace(target, []);
    expect(target).toEqual([]);
  });

  it('adds an alpha to hex and rgb colours', () => {
    expect(withAlpha('#ff8000', 0.5)).toBe('rgba(255, 128, 0, 0.5)');
    expect(withAlpha('rgb(1, 2, 3)', 0.1)).toBe('rgba(1, 2, 3, 0.1)');
  });
});

describe('dataRange', () => {
  it('fits the visible values with room, never below zero for positive values', () => {
    const w = { from: 0, to: 100 };
    expect(
      dataRange(
        [
          { t: 0, v: 1000 },
          { t: 50, v: 1100 },
          { t: 200, v: 5 },
        ],
        w,
      ),
    ).toEqual({ min: 990, max: 1110 });
    expect(
      dataRange(
        [
          { t: 0, v: 0 },
          { t: 50, v: 3000 },
        ],
        w,
      ),
    ).toEqual({ min: 0, max: 3300 });
    expect(dataRange([{ t: 0, v: 200 }], w)).toEqual({ min: 190, max: 210 });
    expect(dataRange([], w)).toBeNull();
  });
});
