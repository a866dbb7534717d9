export * from './lib/line-chart';
export * from './lib/metric-card';
export * from './lib/status-pill';
export * from './lib/time-axis';
