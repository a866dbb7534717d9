import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * A few clients per scenario against the built API, one pair each: the bench runs end to end and
 * its report has its fields, each ratio computed from the two runs' own figures. The figures
 * themselves are not judged here (see docs/benchmarks.md).
 */
describe('bench smoke run', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-bench-smoke-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let stdout = '';
  function bench(scenario: string, args: string[]): any {
    const r = spawnSync(process.execPath, ['tools/bench/bench.mjs', scenario, ...args, '--timeout', '50'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RESULTS_DIR: dir, BENCH_GC_WAIT_MS: '300' },
      encoding: 'utf8',
      timeout: 55_000,
    });
    if (r.status !== 0) throw new Error(`${scenario} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    stdout = r.stdout;
    return JSON.parse(readFileSync(join(dir, `${scenario}.json`), 'utf8'));
  }

  const loadAverage = {
    start: [expect.any(Number), expect.any(Number), expect.any(Number)],
    end: expect.any(Array),
  };
  const runOf = (report: any, target: string) => report.runs.find((r: any) => r.target === target);
  // A tiny run may see a baseline figure of 0 (CPU is counted in 10 ms ticks), or miss a figure
  // (a heap probe that did not answer on a loaded machine is null in the report): then no ratio.
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const expectRatio = (actual: number | null, ours: number | null, base: number | null) =>
    finite(ours) && finite(base) && base !== 0
      ? expect(actual).toBeCloseTo(ours / base, 6)
      : expect(actual).toBeNull();
  const judged = (ratio: number | null, ok: (r: number) => boolean) => (ratio == null ? null : ok(ratio));

  it('sse-fanout: one pair A B, each run with its load average, the ratios from its own figures', () => {
    const report = bench('sse-fanout', [
      ...['--clients', '20', '--workers', '1', '--addresses', '2', '--pairs', '1'],
      ...['--duration', '1.5', '--sat-duration', '1', '--settle', '0', '--sat-tick-ms', '200'],
    ]);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.runs.map((r: any) => [r.pair, r.target])).toEqual([
      [1, 'ours'],
      [1, 'baseline'],
    ]);
    for (const r of report.runs) {
      expect(r.connected).toBe(20);
      expect(r.loadAverage).toEqual(loadAverage);
      expect(r.saturation.cpuUsPerEvent).toBeGreaterThanOrEqual(0);
      expect(r.saturation.deliveriesPerSecond).toBeGreaterThan(0);
    }
    const ours = runOf(report, 'ours');
    const base = runOf(report, 'baseline');
    const [pair] = report.pairs;
    expectRatio(pair.ratios.p99Ms, ours.latency.latencyMs.p99, base.latency.latencyMs.p99);
    expectRatio(
      pair.ratios.deliveriesPerSecond,
      ours.saturation.deliveriesPerSecond,
      base.saturation.deliveriesPerSecond,
    );
    expectRatio(pair.ratios.cpuUsPerEvent, ours.saturation.cpuUsPerEvent, base.saturation.cpuUsPerEvent);
    expectRatio(pair.ratios.heapPerConnectionKb, ours.heapPerConnectionKb, base.heapPerConnectionKb);
    // One pair: its ratio is the median, and the spread is that one value.
    expect(report.figures.p99Ms.ratio).toMatchObject({
      median: pair.ratios.p99Ms,
      min: pair.ratios.p99Ms,
      n: 1,
    });
    expect(report.figures.p99Ms.ours.median).toBe(ours.latency.latencyMs.p99);
    expect(report.summary).toEqual(
      expect.objectContaining({
        p99Ms: ours.latency.latencyMs.p99,
        missedTicks: expect.any(Number),
        rssPerConnectionKb: ours.rssPerConnectionKb,
        cpuUsPerEvent: ours.saturation.cpuUsPerEvent,
        ratio: expect.any(Number),
      }),
    );
    const r = report.figures;
    expect(report.summary.met).toEqual({
      p99Ms: judged(r.p99Ms.ratio.median, (x) => x <= 1.25),
      rssPerConnectionKb: judged(r.rssPerConnectionKb.ratio.median, (x) => x <= 1.5),
      deliveriesPerSecond: judged(r.deliveriesPerSecond.ratio.median, (x) => x >= 0.8),
      eventLoopDelayP99Ms: judged(r.eventLoopDelayP99Ms.ratio.median, (x) => x <= 2),
    });
    expect(readFileSync(join(dir, 'sse-fanout.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('chat: one pair against plain socket.io, p99 judged absolutely and deliveries as a ratio', () => {
    const report = bench('chat', [
      ...['--clients', '20', '--room-size', '5', '--workers', '1', '--addresses', '2', '--pairs', '1'],
      ...[
        '--interval-ms',
        '500',
        '--sat-interval-ms',
        '200',
        '--duration',
        '2',
        '--sat-duration',
        '1',
        '--settle',
        '0',
      ],
    ]);
    const ours = runOf(report, 'ours');
    const base = runOf(report, 'baseline');
    expect(ours.connected).toBe(20);
    expect(ours.latency.rejected).toBe(0);
    expect(ours.latency.received).toBeGreaterThan(0);
    expect(ours.loadAverage).toEqual(loadAverage);
    expect(ours.saturation.cpuUsPerEvent).toBeGreaterThanOrEqual(0);
    expectRatio(
      report.pairs[0].ratios.deliveriesPerSecond,
      ours.saturation.deliveriesPerSecond,
      base.saturation.deliveriesPerSecond,
    );
    expect(report.summary).toEqual(
      expect.objectContaining({
        p50Ms: ours.latency.latencyMs.p50,
        p99Ms: ours.latency.latencyMs.p99,
        unexpectedDisconnects: 0,
        rssPerConnectionKb: ours.rssPerConnectionKb,
        ratio: expect.any(Number),
        met: {
          p99Ms: ours.latency.latencyMs.p99 < 50,
          deliveriesPerSecond: judged(report.figures.deliveriesPerSecond.ratio.median, (x) => x >= 0.9),
        },
      }),
    );
  });

  it('chat-abuse: others keep chatting while one user joins many rooms and disconnects', () => {
    const report = bench('chat-abuse', [
      ...[
        '--clients',
        '20',
        '--room-size',
        '5',
        '--workers',
        '1',
        '--addresses',
        '2',
        '--interval-ms',
        '500',
      ],
      ...['--abuse-rooms', '40', '--abuse-sockets', '2', '--window', '1', '--settle', '0'],
    ]);
    const { run } = report;
    expect(run.connectedAtEnd).toBe(20);
    expect(run.unexpectedDisconnects).toBe(0);
    expect(run.loadAverage).toEqual(loadAverage);
    expect(run.joining.refusedJoins).toBe(0);
    for (const w of [run.steady, run.joining, run.disconnect]) {
      expect(w.received).toBeGreaterThan(0);
      expect(w.healthMs.samples).toBeGreaterThan(0);
      expect(w.healthMs.failed).toBe(0);
    }
    expect(report.summary).toEqual({
      clients: 20,
      abuseRooms: 40,
      p99Ms: run.disconnect.latencyMs.p99,
      eventLoopDelayP99Ms: run.disconnect.eventLoopDelayP99Ms,
      healthMaxMs: run.disconnect.healthMs.max,
      met: { eventLoopDelayP99Ms: judged(run.disconnect.eventLoopDelayP99Ms, (x) => x < 50) },
    });
  });

  it("restart-storm: the issue's three kinds of client, everyone back, nothing lost, the load at the kill", () => {
    const report = bench('restart-storm', [
      ...['--dashboard-streams', '14', '--notification-streams', '6', '--sockets', '10', '--workers', '1'],
      ...['--addresses', '2', '--before', '1', '--after', '1', '--drain', '1', '--back-timeout', '20'],
    ]);
    expect(report.runs).toHaveLength(1);
    const [run] = report.runs;
    expect(run).toEqual(
      expect.objectContaining({ dashboardStreams: 14, notificationStreams: 6, sockets: 10, clients: 30 }),
    );
    expect(run.loadAverage).toEqual({ ...loadAverage, kill: expect.any(Array) });
    expect(report.summary).toEqual(
      expect.objectContaining({
        runs: 1,
        back999Ms: run.back999Ms,
        notificationsLost: 0,
        eventLoopDelayP99Ms: expect.any(Number),
        met: { back999Ms: run.back999Ms < 10_000, notificationsLost: true },
      }),
    );
    expect(report.summary.connectedAtEnd).toBe(30);
  });

  it('bundle: initial JS from index.html, gzip sizes', () => {
    const dist = join(dir, 'dist');
    mkdirSync(dist);
    writeFileSync(
      join(dist, 'index.html'),
      '<link rel="stylesheet" href="styles-A.css"><link rel="modulepreload" href="chunk-B.js">' +
        '<script src="main-C.js" type="module"></script>',
    );
    writeFileSync(join(dist, 'main-C.js'), 'console.log("main");'.repeat(100));
    writeFileSync(join(dist, 'chunk-B.js'), 'export const b = 1;');
    writeFileSync(join(dist, 'lazy-D.js'), 'export const d = 1;');
    writeFileSync(join(dist, 'styles-A.css'), 'body{}');
    // --busy works for every scenario: its spinning process is gone when the run ends.
    const report = bench('bundle', ['--no-build', '--no-browser', '--dist', dist, '--busy', '1']);
    const [, pid] = /busy: 1 spinning process\(es\) \((\d+)\)/.exec(stdout) ?? [];
    expect(Number(pid)).toBeGreaterThan(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(report.options.busy).toBe(1);
    expect(report.files.initialJs.map((f: any) => f.file).sort()).toEqual(['chunk-B.js', 'main-C.js']);
    expect(report.files.lazyJs.map((f: any) => f.file)).toEqual(['lazy-D.js']);
    expect(report.summary.initialJsGzipKb).toBeGreaterThan(0);
  });
});
