import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BaseChartDirective } from 'ng2-charts';

import { type ChartPoint, LineChart } from './line-chart';

@Component({
  imports: [LineChart],
  template: `<rt-line-chart label="Orders" [points]="points()" />`,
})
class Host {
  readonly points = signal<ChartPoint[]>([{ x: 1_000, y: 1 }]);
}

describe('LineChart', () => {
  it('updates the same chart in place when points arrive', async () => {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const directive = fixture.debugElement.query((d) => d.injector.get(BaseChartDirective, null) !== null);
    const base = directive.injector.get(BaseChartDirective);
    const chart = base.chart!;
    expect(chart).toBeDefined();
    const update = jest.spyOn(chart, 'update');

    fixture.componentInstance.points.set([
      { x: 1_000, y: 1 },
      { x: 6_000, y: 3 },
    ]);
    await fixture.whenStable();

    expect(base.chart).toBe(chart);
    expect(update).toHaveBeenCalledWith('none');
    expect(chart.data.datasets[0].data).toEqual([
      { x: 1_000, y: 1 },
      { x: 6_000, y: 3 },
    ]);
    const canvas = fixture.nativeElement.querySelector('canvas') as HTMLCanvasElement;
    expect(canvas.getAttribute('aria-label')).toBe('Orders: 3 now');
  });
});
