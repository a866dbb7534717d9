import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * A few clients per scenario against the built API: the bench runs end to end and its report
 * has its fields. The figures themselves are not judged here (see docs/benchmarks.md).
 */
describe('bench smoke run', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-bench-smoke-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function bench(scenario: string, args: string[]): any {
    const r = spawnSync(process.execPath, ['tools/bench/bench.mjs', scenario, ...args, '--timeout', '50'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_RESULTS_DIR: dir, BENCH_GC_WAIT_MS: '300' },
      encoding: 'utf8',
      timeout: 55_000,
    });
    if (r.status !== 0) throw new Error(`${scenario} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(readFileSync(join(dir, `${scenario}.json`), 'utf8'));
  }

  it('sse-fanout: latency, missed ticks, RSS, CPU and the ratio to the bare server', () => {
    const report = bench('sse-fanout', [
      ...['--clients', '20', '--workers', '1', '--addresses', '2'],
      ...['--duration', '1.5', '--sat-duration', '1', '--settle', '0', '--sat-tick-ms', '200'],
    ]);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.results).toHaveLength(4);
    for (const r of report.results) expect(r.connected).toBe(20);
    expect(report.summary).toEqual(
      expect.objectContaining({
        p50Ms: expect.any(Number),
        p99Ms: expect.any(Number),
        maxMs: expect.any(Number),
        missedTicks: expect.any(Number),
        rssPerConnectionKb: expect.any(Number),
        serverCpuPct: expect.any(Number),
        ratio: expect.any(Number),
      }),
    );
    expect(readFileSync(join(dir, 'sse-fanout.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('chat: send→receive latency, disconnects, RSS and the ratio to plain socket.io', () => {
    const report = bench('chat', [
      ...['--clients', '20', '--room-size', '5', '--workers', '1', '--addresses', '2'],
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
    const ours = report.results.find((r: any) => r.target === 'ours');
    expect(ours.connected).toBe(20);
    expect(ours.latency.rejected).toBe(0);
    expect(ours.latency.received).toBeGreaterThan(0);
    expect(report.summary).toEqual(
      expect.objectContaining({
        p50Ms: expect.any(Number),
        p99Ms: expect.any(Number),
        unexpectedDisconnects: 0,
        rssPerConnectionKb: expect.any(Number),
        ratio: expect.any(Number),
      }),
    );
  });

  it('restart-storm: everyone back, nothing lost', () => {
    const report = bench('restart-storm', [
      ...['--sse', '20', '--notification-streams', '6', '--sockets', '10', '--workers', '1'],
      ...['--addresses', '2', '--before', '1', '--after', '1', '--drain', '1', '--back-timeout', '20'],
    ]);
    expect(report.summary).toEqual(
      expect.objectContaining({
        back999Ms: expect.any(Number),
        notificationsLost: 0,
        eventLoopDelayP99Ms: expect.any(Number),
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
    const report = bench('bundle', ['--no-build', '--no-browser', '--dist', dist]);
    expect(report.files.initialJs.map((f: any) => f.file).sort()).toEqual(['chunk-B.js', 'main-C.js']);
    expect(report.files.lazyJs.map((f: any) => f.file)).toEqual(['lazy-D.js']);
    expect(report.summary.initialJsGzipKb).toBeGreaterThan(0);
  });
});
