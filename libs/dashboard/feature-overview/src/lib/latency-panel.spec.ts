import { TestBed } from '@angular/core/testing';

import { LatencyPanel } from './latency-panel';
import { latencyStats } from './latency';

describe('LatencyPanel', () => {
  async function render(samples: number[], uncertaintyMs: number | null) {
    const fixture = TestBed.createComponent(LatencyPanel);
    fixture.componentRef.setInput('stats', latencyStats(samples));
    fixture.componentRef.setInput('samples', samples);
    fixture.componentRef.setInput('offsetMs', -653);
    fixture.componentRef.setInput('uncertaintyMs', uncertaintyMs);
    fixture.componentRef.setInput('roundTripMs', uncertaintyMs === null ? null : uncertaintyMs * 2);
    fixture.componentRef.setInput('clockSamples', 5);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }
  const figures = (el: HTMLElement) => [...el.querySelectorAll('dd')].map((d) => d.textContent?.trim());

  it('never shows a figure finer than the clock offset is known, and says how well it is known', async () => {
    const el = await render([0.4, 12, 153, 260], 40);
    expect(figures(el)).toEqual(['250 ms', '< 50 ms', '250 ms', '250 ms']);
    expect(el.querySelector('[data-testid=latency-precision]')?.textContent).toContain('± 50 ms');
    expect(el.querySelector('details')?.textContent).toContain("the server's is 650 ms behind");
    expect(el.querySelector('details')?.textContent).toContain('the fastest of 5 took 80 ms');
  });

  it('shows milliseconds once the offset is known to a millisecond', async () => {
    const el = await render([12, 153], 0.5);
    expect(figures(el)).toEqual(['153 ms', '12 ms', '153 ms', '153 ms']);
  });

  it('shows no figure before the clock is measured', async () => {
    const el = await render([12], null);
    expect(el.querySelector('dd')).toBeNull();
    expect(el.textContent).toContain("Measuring the server's clock");
  });
});
