import { type ClockSample, estimateClockOffset, formatMeasured, precisionStep } from './clock-offset';

/** A fake network: the server's clock is `offset` ahead; each request takes `up` ms there and `down` back. */
function sample(offset: number, sentAt: number, up: number, down: number, resolutionMs = 0): ClockSample {
  const serverRead = sentAt + up + offset;
  return {
    serverTime: serverRead - (serverRead % Math.max(1, resolutionMs)),
    sentAt,
    receivedAt: sentAt + up + down,
    resolutionMs,
  };
}

describe('estimateClockOffset', () => {
  it('takes the tightest round trip, and its half width is the uncertainty', () => {
    const est = estimateClockOffset([
      sample(-653, 1_000, 400, 300), // slow: says little
      sample(-653, 2_000, 6, 4), // fastest
      sample(-653, 3_000, 30, 90),
    ]);
    expect(est).toEqual({ offsetMs: -652, uncertaintyMs: 5, roundTripMs: 10, samples: 3 });
    // The true offset lies within the uncertainty.
    expect(Math.abs(est!.offsetMs - -653)).toBeLessThanOrEqual(est!.uncertaintyMs);
  });

  it('holds for any asymmetry of the route: the truth is always within the stated uncertainty', () => {
    for (const [up, down] of [
      [0, 50],
      [50, 0],
      [13, 29],
    ]) {
      const est = estimateClockOffset([sample(2_300, 10_000, up, down)])!;
      expect(Math.abs(est.offsetMs - 2_300)).toBeLessThanOrEqual(est.uncertaintyMs);
      expect(est.uncertaintyMs).toBe((up + down) / 2);
    }
  });

  it('counts a Date header (whole seconds) as a wide window, beaten by any precise sample', () => {
    const coarse = sample(2_300, 10_000, 50, 50, 1000);
    expect(estimateClockOffset([coarse])!.uncertaintyMs).toBe(550);
    expect(estimateClockOffset([coarse, sample(2_300, 20_000, 100, 100)])!.uncertaintyMs).toBe(100);
  });

  it('has nothing to say without a usable sample', () => {
    expect(estimateClockOffset([])).toBeNull();
    expect(estimateClockOffset([{ serverTime: NaN, sentAt: 0, receivedAt: 1, resolutionMs: 0 }])).toBeNull();
    expect(estimateClockOffset([{ serverTime: 5, sentAt: 10, receivedAt: 9, resolutionMs: 0 }])).toBeNull();
  });
});

describe('formatMeasured', () => {
  it('never prints a figure finer than its uncertainty', () => {
    expect(formatMeasured(153, 0.5)).toBe('153 ms');
    expect(formatMeasured(153, 4)).toBe('155 ms');
    expect(formatMeasured(153, 40)).toBe('150 ms');
    expect(formatMeasured(153, 60)).toBe('200 ms');
    expect(formatMeasured(12, 40)).toBe('< 50 ms');
    expect(formatMeasured(0, 725)).toBe('< 1 s');
    expect(formatMeasured(1_234, 300)).toBe('1 s');
    expect(formatMeasured(1_260, 80)).toBe('1.3 s');
    for (const u of [1, 3, 7, 25, 80, 400, 725])
      for (const ms of [0, 4, 17, 160, 999, 4321]) {
        const text = formatMeasured(ms, u);
        const digits = Number(/[\d.]+/.exec(text)![0]) * (text.endsWith(' s') ? 1000 : 1);
        expect(digits % precisionStep(u)).toBeCloseTo(0);
      }
  });
});
