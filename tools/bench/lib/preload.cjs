// Loaded with `node -r` into every server the bench starts (ours and the baselines); never part
// of the product. SIGWINCH (ignored by Node and not one of Nest's shutdown signals) forces a full GC so RSS can be read after it; with BENCH_STATS_FILE
// set, one JSON line per second: RSS, heap and the event-loop delay of that second.
const { appendFileSync } = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

process.on('SIGWINCH', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  if (process.env.BENCH_GC_FILE) {
    appendFileSync(
      process.env.BENCH_GC_FILE,
      `${JSON.stringify({ t: Date.now(), ...process.memoryUsage() })}\n`,
    );
  }
});

const file = process.env.BENCH_STATS_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  setInterval(() => {
    const m = process.memoryUsage();
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      eldP50: h.percentile(50) / 1e6,
      eldP99: h.percentile(99) / 1e6,
      eldMax: h.max / 1e6,
    };
    h.reset();
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 1000).unref();
}
